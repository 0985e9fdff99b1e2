#ifndef GROVE_CCHECKSUMS_H
#define GROVE_CCHECKSUMS_H
// CRC-32C with the CPU's own instruction (SSE 4.2 `crc32` on x86-64), which Swift cannot reach
// directly. Checksums uses it when the CPU has it and its table-driven code otherwise.
#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU has a CRC-32C instruction `grove_crc32c_update` uses, else 0.
int grove_crc32c_hardware_available(void);

/// Continues the raw (not inverted) CRC-32C register `crc` over `count` bytes at `bytes`.
/// Only valid when `grove_crc32c_hardware_available()` is 1.
uint32_t grove_crc32c_update(uint32_t crc, const void *bytes, size_t count);

#endif
