// Keys of the internal fields shared by views and wrappers. Symbols rather
// than #private fields: array-likes and structs are served through Proxies,
// and a method called on a Proxy cannot reach its target's #private fields.
export const MEM = Symbol('sharedctypes.memory');
export const BASE = Symbol('sharedctypes.base');
export const LOCK = Symbol('sharedctypes.lock');
export const RAW = Symbol('sharedctypes.raw');
export const SLOT = Symbol('sharedctypes.slot');
export const SCALAR_TYPE = Symbol('sharedctypes.scalarType');
