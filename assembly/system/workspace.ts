// One region of static memory for the buffers that only a single procedure needs while it runs.
//
// Static SRAM is the ATmega2560's scarcest resource (6 KiB for all static data, the other 2 KiB
// are the stack). Commands run one at a time (the queue hands the next line over only when the
// current one has finished), so procedures that are commands of their own never hold their
// scratch buffers at the same time, and can share these bytes:
// - settings/store.ts: the EEPROM record read and checked before it replaces the live one (M501,
//   boot), 172 bytes;
// - calibration/circleFit.ts: the edge points of one target (M45), 288 bytes;
// - the mesh's per-point sums while G80 probes (G80).
// Nothing here survives the command that wrote it: results that must outlive it (the fitted
// transform, the mesh) live in their own storage.

/** Bytes of the shared region: room for a 7x7 mesh's two f32 sums per point (392). */
export const WORKSPACE_BYTES: u32 = 400;

/** The shared region, 4-byte aligned for f32 access. */
export const workspace = memory.data(<i32>WORKSPACE_BYTES, 4);
