// Reading and writing one scalar at a byte offset of a DataView, in the
// platform's byte order (the order a C program on this machine uses).
import os = require('os');
import { ScalarType, toStored } from '../types/scalars';

const LE = os.endianness() === 'LE';

export function readScalar(dv: DataView, at: number, type: ScalarType): number | bigint | boolean | string {
  switch (type.code) {
    case 'c':
      return String.fromCharCode(dv.getUint8(at));
    case '?':
      return dv.getUint8(at) !== 0;
    case 'b':
      return dv.getInt8(at);
    case 'B':
      return dv.getUint8(at);
    case 'h':
      return dv.getInt16(at, LE);
    case 'H':
      return dv.getUint16(at, LE);
    case 'i':
      return dv.getInt32(at, LE);
    case 'I':
      return dv.getUint32(at, LE);
    case 'l':
      return type.size === 8 ? dv.getBigInt64(at, LE) : BigInt(dv.getInt32(at, LE));
    case 'L':
      return type.size === 8 ? dv.getBigUint64(at, LE) : BigInt(dv.getUint32(at, LE));
    case 'q':
      return dv.getBigInt64(at, LE);
    case 'Q':
      return dv.getBigUint64(at, LE);
    case 'f':
      return dv.getFloat32(at, LE);
    case 'd':
      return dv.getFloat64(at, LE);
  }
}

/** Checks `v` (TypeError on a wrong JS type) and stores it with C's wrap/round rules. */
export function writeScalar(dv: DataView, at: number, type: ScalarType, v: unknown): void {
  const s = toStored(type, v);
  switch (type.code) {
    case 'c':
    case '?':
    case 'B':
      return dv.setUint8(at, s as number);
    case 'b':
      return dv.setInt8(at, s as number);
    case 'h':
      return dv.setInt16(at, s as number, LE);
    case 'H':
      return dv.setUint16(at, s as number, LE);
    case 'i':
      return dv.setInt32(at, s as number, LE);
    case 'I':
      return dv.setUint32(at, s as number, LE);
    case 'l':
    case 'q':
      return typeof s === 'bigint' ? dv.setBigInt64(at, s, LE) : dv.setInt32(at, s, LE);
    case 'L':
    case 'Q':
      return typeof s === 'bigint' ? dv.setBigUint64(at, s, LE) : dv.setUint32(at, s, LE);
    case 'f':
      return dv.setFloat32(at, s as number, LE);
    case 'd':
      return dv.setFloat64(at, s as number, LE);
  }
}
