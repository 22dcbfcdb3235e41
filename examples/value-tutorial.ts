// The Value tutorial (reference 004): a child sets a shared double; the parent prints it.
import { fork, inherited, Value, ValueOf } from 'sharedctypes';

if (process.argv[2] === 'child') {
  const { num } = inherited<{ num: ValueOf<'d'> }>();
  num.value = 3.1415926;
} else {
  const num = Value('d', 0.0);
  fork(__filename, ['child'], { shared: { num } }).on('exit', () => {
    console.log(num.value);
  });
}
