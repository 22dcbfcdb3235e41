/* The facts of the segment header (docs/segment-format.md) that native code
 * needs: the watchdog reads them to decide whose segment a file is, and the
 * addon exports them so that the TypeScript codec uses the same values.
 * Plain C, no OS headers. */
#ifndef SCT_HEADER_FORMAT_H
#define SCT_HEADER_FORMAT_H

/* The 8 magic bytes at offset 0 (the literal's NUL is the eighth). */
#define SCT_MAGIC "SCTYPES"
#define SCT_MAGIC_BYTES 8
/* u32, little-endian: the pid of the process that created the segment. */
#define SCT_OFF_CREATOR_PID 48

#endif
