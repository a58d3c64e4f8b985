// A SQLite VFS shim for fault-injection tests (test support only; never linked into a product).
//
// Installed as the default VFS, it passes every call through to the system's VFS, but for files whose path
// contains "faultvfs" it counts the write-class calls (xWrite, xSync, xTruncate) and, when armed, makes the
// N-th one fail:
//   kind 1  I/O error      the call returns SQLITE_IOERR_WRITE / _FSYNC / _TRUNCATE, later calls succeed;
//   kind 2  full disk      the call returns SQLITE_FULL, later calls succeed;
//   kind 3  power loss     every write not yet made durable by xSync is undone (old bytes restored, file
//                          size reset), then every later write, sync, truncate or delete fails, as if the
//                          machine had stopped.
#ifndef PUBLICDATA_SQLITE_FAULTS_H
#define PUBLICDATA_SQLITE_FAULTS_H

/// Registers the shim as the default VFS (once); returns SQLITE_OK or an error code.
int pdk_faults_install(void);
/// Arms a fault of `kind` (0 = none) at the `countdown`-th write-class call from now, and resets counters.
void pdk_faults_arm(int kind, long long countdown);
/// Disarms and ends a simulated power loss; undo logs are dropped.
void pdk_faults_reset(void);
/// Write-class calls counted since the last arm or reset.
long long pdk_faults_write_calls(void);
/// Whether the armed fault has fired.
int pdk_faults_fired(void);

#endif
