// One error class per cause, wherever it is detected: native failures are
// SharedCtypesErrors (or TypeError / RangeError with a code for bad
// arguments) exactly like the errors TypeScript throws, with errno and
// syscall for OS failures; in this process, in a forked child and in a worker
// thread; across copies of the module. And the lists of codes agree: the
// ErrorCode list, the README's table, the native code table.
import fs from 'fs';
import os from 'os';
import path from 'path';
import { Worker } from 'worker_threads';
import { attach, Lock, RLock, SharedCtypesError, unlink } from '../dist';
import { binding } from '../dist/base/native';
import { ERROR_CODES } from '../dist';
import { exitOf, forkFixture, killAll } from './helpers/processes';
import { nativeSources, ROOT } from './helpers/sources';
import { testName } from './helpers/names';

// Plain JS shared with the forked child, so both run the very same calls.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const errorCases = require('./fixtures/error-cases.js') as {
  cases: Record<string, () => unknown>;
  pairs: Array<[string, string]>;
  runAll(): Record<string, Described>;
};

interface Described {
  cls: string;
  name: string;
  code: string;
  errno?: number;
  syscall?: string;
}

afterEach(killAll);

const { ENOENT, EEXIST } = os.constants.errno;
const library = (code: string, osFields: { errno?: number; syscall?: string } = {}): Described => ({ cls: 'SharedCtypesError', name: 'SharedCtypesError', code, ...osFields });
const type = (code: string): Described => ({ cls: 'TypeError', name: 'TypeError', code });
const range = (code: string): Described => ({ cls: 'RangeError', name: 'RangeError', code });

// errno with libuv's sign, as Node's own errors.
const EXPECTED: Record<string, Described> = {
  'open a missing segment (native)': library('ERR_SHM_NOT_FOUND', { errno: -ENOENT, syscall: 'shm_open' }),
  'attach a missing name (public API)': library('ERR_SHM_NOT_FOUND', { errno: -ENOENT, syscall: 'shm_open' }),
  'unlink a missing name (public API)': library('ERR_SHM_NOT_FOUND', { errno: -ENOENT, syscall: 'shm_unlink' }),
  'create an existing name (native)': library('ERR_SHM_EXISTS', { errno: -EEXIST, syscall: 'shm_open' }),
  'create an existing name (public API)': library('ERR_SHM_EXISTS', { errno: -EEXIST, syscall: 'shm_open' }),
  'invalid name (native)': library('ERR_SHM_INVALID_NAME'),
  'invalid name (TypeScript)': library('ERR_SHM_INVALID_NAME'),
  'name too long (native)': library('ERR_SHM_INVALID_NAME'),
  'name too long (TypeScript)': library('ERR_SHM_INVALID_NAME'),
  'name not a string (native)': type('ERR_INVALID_ARG_TYPE'),
  'name not a string (TypeScript)': type('ERR_INVALID_ARG_TYPE'),
  'closed Lock object (TypeScript)': library('ERR_SHM_CLOSED'),
  'lock whose segment was closed underneath (native, no acquire before)': library('ERR_SHM_CLOSED'),
  'lock whose segment was closed underneath (native, after an acquire)': library('ERR_SHM_CLOSED'),
  'release a Lock not held (native)': library('ERR_LOCK_NOT_OWNER'),
  'release an RLock not held, hot path (native)': library('ERR_LOCK_NOT_OWNER'),
  'bad lock offset (native)': range('ERR_OUT_OF_RANGE'),
  'NaN timeout (native)': range('ERR_OUT_OF_RANGE'),
  'NaN timeout (TypeScript)': range('ERR_OUT_OF_RANGE'),
  'new Segment() (native)': type('ERR_ILLEGAL_CONSTRUCTOR'),
};

describe('native failures', () => {
  test('each throws the documented class, name, code, and errno / syscall for OS failures', () => {
    expect(errorCases.runAll()).toEqual(EXPECTED);
  });

  test('one cause is one class and one code, whether TypeScript or native code detects it', () => {
    for (const [fromTs, fromNative] of errorCases.pairs) {
      const ts = errorCases.cases[fromTs]() as Described;
      const native = errorCases.cases[fromNative]() as Described;
      expect({ pair: [fromTs, fromNative], cls: native.cls, code: native.code }).toEqual({ pair: [fromTs, fromNative], cls: ts.cls, code: ts.code });
    }
  });

  test('a lock whose segment was closed underneath is refused by the native layer, as a closed Lock is by TypeScript', () => {
    // The case above, with the messages that tell who refused.
    const message = (fn: () => unknown): string => {
      try {
        fn();
      } catch (err) {
        expect(err).toBeInstanceOf(SharedCtypesError);
        return (err as Error).message;
      }
      return 'returned';
    };
    for (const Kind of [Lock, RLock]) {
      const name = testName('err-closed');
      const lock = new Kind({ name });
      try {
        lock.acquire();
        lock.release();
        lock.location.segment.close();
        expect(message(() => lock.acquire())).toMatch(/segment holding this lock was closed/);
        expect(message(() => lock.acquire({ timeout: 0 }))).toMatch(/segment holding this lock was closed/);
      } finally {
        lock.close();
        unlink(name);
      }
      expect(message(() => lock.acquire())).toMatch(new RegExp(`this ${Kind.name} was closed`));
    }
  });

  test('OS details are own properties, and a SharedCtypesError has its code before the caller sees it', () => {
    let thrown: unknown;
    try {
      attach(testName('err-missing'));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(SharedCtypesError);
    expect(thrown).toBeInstanceOf(Error);
    const err = thrown as SharedCtypesError;
    expect(err.errno).toBe(-ENOENT);
    expect(err.syscall).toBe('shm_open');
    expect(Object.keys(err).sort()).toEqual(['code', 'errno', 'name', 'syscall']);
    expect(err.message).toMatch(/No such file or directory \(shm_open\)$/);
    expect(err.stack).toContain('SharedCtypesError');
  });
});

describe('instanceof SharedCtypesError', () => {
  test('holds across copies of the module (jest evaluates lib/ per test file), and subclasses keep their own test', () => {
    let other: typeof import('../dist') | undefined;
    jest.isolateModules(() => {
      other = jest.requireActual<typeof import('../dist')>('../dist');
    });
    const copy = other!;
    try {
      expect(copy.SharedCtypesError).not.toBe(SharedCtypesError);
      // The copy handed its classes to the addon on load: native errors are the copy's now.
      let fromCopy: unknown;
      try {
        copy.attach(testName('err-copy'));
      } catch (err) {
        fromCopy = err;
      }
      expect(Object.getPrototypeOf(fromCopy)).toBe(copy.SharedCtypesError.prototype);
      expect(fromCopy).toBeInstanceOf(SharedCtypesError);
      expect(fromCopy).toBeInstanceOf(copy.SharedCtypesError);
      const ours = new SharedCtypesError('ERR_SHM_SYSTEM', 'ours');
      expect(ours).toBeInstanceOf(copy.SharedCtypesError);

      class Special extends SharedCtypesError {}
      const special = new Special('ERR_SHM_SYSTEM', 'special');
      expect(special).toBeInstanceOf(Special);
      expect(special).toBeInstanceOf(SharedCtypesError);
      expect(special).toBeInstanceOf(copy.SharedCtypesError);
      expect(ours).not.toBeInstanceOf(Special);
      expect(fromCopy).not.toBeInstanceOf(Special);

      for (const stranger of [new Error('x'), new TypeError('x'), Object.assign(new Error('x'), { code: 'ERR_SHM_CLOSED', name: 'SharedCtypesError' }), { code: 'ERR_SHM_CLOSED' }, null, undefined, 'ERR_SHM_CLOSED', 42]) {
        expect(stranger instanceof SharedCtypesError).toBe(false);
        expect(stranger instanceof copy.SharedCtypesError).toBe(false);
      }
    } finally {
      binding.setErrorClasses(SharedCtypesError, TypeError, RangeError);
    }
  });

  test('a SharedCtypesError made in TypeScript carries the OS details it is given, and a cause', () => {
    const cause = new Error('low level');
    const err = new SharedCtypesError('ERR_SHM_NO_SPACE', 'full', { errno: -28, syscall: 'statvfs', cause });
    expect({ code: err.code, errno: err.errno, syscall: err.syscall, cause: err.cause, name: err.name }).toEqual({ code: 'ERR_SHM_NO_SPACE', errno: -28, syscall: 'statvfs', cause, name: 'SharedCtypesError' });
    expect(Object.keys(new SharedCtypesError('ERR_SHM_CLOSED', 'closed')).sort()).toEqual(['code', 'name']);
  });
});

describe('other processes and threads', () => {
  test('a forked child sees the same classes and codes; before lib/ loads, the bare addon throws plain errors with the code', async () => {
    const child = forkFixture('errors-child.js');
    const reply = await child.next<{ type: string; before: Record<string, unknown>; results: Record<string, Described> }>();
    expect(await exitOf(child)).toEqual({ code: 0, signal: null });
    expect(reply.type).toBe('cases');
    expect(reply.results).toEqual(EXPECTED);
    expect(reply.before).toEqual({
      missing: { ctor: 'Error', name: 'Error', code: 'ERR_SHM_NOT_FOUND', errno: -ENOENT, syscall: 'shm_open' },
      illegal: { ctor: 'TypeError', name: 'TypeError', code: 'ERR_ILLEGAL_CONSTRUCTOR' },
    });
  });

  test('a worker thread gets its own classes: the same results', async () => {
    const worker = new Worker(path.join(__dirname, 'fixtures', 'errors-child.js'));
    const reply = await new Promise<{ results: Record<string, Described>; before: Record<string, { ctor: string; code: string }> }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const code = await new Promise<number>((resolve) => worker.once('exit', resolve));
    expect(code).toBe(0);
    expect(reply.results).toEqual(EXPECTED);
    expect(reply.before.missing).toMatchObject({ ctor: 'Error', code: 'ERR_SHM_NOT_FOUND' });
    // The main thread's classes are untouched by the worker's.
    expect(() => attach(testName('err-after-worker'))).toThrow(SharedCtypesError);
  });
});

describe('the lists of codes', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

  /** The codes in the first column of the README's "## Errors" table. */
  function readmeCodes(): string[] {
    const section = readme.split(/^## /m).find((s) => s.startsWith('Errors\n'));
    expect(section).toBeDefined();
    const rows = section!.split('\n').filter((line) => line.startsWith('| `'));
    return rows.flatMap((row) => [...row.split('|')[1].matchAll(/`([A-Z_]+)`/g)].map((m) => m[1])).sort();
  }

  test("the README's error table lists exactly the ErrorCode union's members, each once", () => {
    const codes = readmeCodes();
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes).toEqual([...ERROR_CODES].sort());
  });

  test('every code of the native code table is an ErrorCode, and no other native file spells a code', () => {
    const table = fs.readFileSync(path.join(ROOT, 'native', 'glue', 'errors.cc'), 'utf8');
    const nativeCodes = [...table.matchAll(/"(ERR_[A-Z_]+)"/g)].map((m) => m[1]);
    expect(nativeCodes.length).toBeGreaterThan(10);
    expect(nativeCodes.filter((c) => !(ERROR_CODES as readonly string[]).includes(c))).toEqual([]);
    const spelling = nativeSources().filter((f) => f !== 'native/glue/errors.cc' && fs.readFileSync(path.join(ROOT, f), 'utf8').includes('"ERR_'));
    expect(spelling).toEqual([]);
  });

  test('no module of lib/ throws a plain Error', () => {
    const files = (fs.readdirSync(path.join(ROOT, 'lib'), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(20);
    const plain = files.filter((f) => /\bnew Error\(/.test(fs.readFileSync(path.join(ROOT, 'lib', f), 'utf8')));
    expect(plain).toEqual([]);
  });
});
