#include "PublicDataSQLiteFaults.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

typedef struct Undo {
    sqlite3_int64 offset;
    int length;
    unsigned char *old;
    struct Undo *next;
} Undo;

typedef struct FaultFile {
    sqlite3_file base;
    sqlite3_file *real;
    int tracked;
    int pending;                  /* writes since the last sync */
    sqlite3_int64 sizeAtSync;     /* the file's size at the last sync */
    Undo *undo;                   /* most recent first */
    struct FaultFile *next;       /* open tracked files */
} FaultFile;

static sqlite3_vfs *realVfs;
static sqlite3_vfs faultVfs;
static FaultFile *openFiles;
static int faultKind;
static long long countdown = -1;
static long long writeCalls;
static int fired;
static int dead;
static sqlite3_mutex *lock;

static void dropUndo(FaultFile *file) {
    Undo *entry = file->undo;
    while (entry) {
        Undo *next = entry->next;
        free(entry->old);
        free(entry);
        entry = next;
    }
    file->undo = 0;
    file->pending = 0;
}

/* Undoes every unsynced write of every open tracked file: the state a power loss leaves behind. */
static void losePower(void) {
    for (FaultFile *file = openFiles; file; file = file->next) {
        if (!file->pending) continue;
        for (Undo *entry = file->undo; entry; entry = entry->next) {
            file->real->pMethods->xWrite(file->real, entry->old, entry->length, entry->offset);
        }
        file->real->pMethods->xTruncate(file->real, file->sizeAtSync);
        file->real->pMethods->xSync(file->real, SQLITE_SYNC_FULL);
        dropUndo(file);
    }
    dead = 1;
}

/* Counts one write-class call; returns the error to inject, or SQLITE_OK. */
static int injected(int ioerr) {
    if (dead) return ioerr;
    writeCalls += 1;
    if (faultKind == 0 || fired || countdown < 0) return SQLITE_OK;
    countdown -= 1;
    if (countdown > 0) return SQLITE_OK;
    fired = 1;
    switch (faultKind) {
    case 1: return ioerr;
    case 2: return SQLITE_FULL;
    default: losePower(); return ioerr;
    }
}

static void remember(FaultFile *file, sqlite3_int64 offset, int length) {
    if (!file->pending) {
        sqlite3_int64 size = 0;
        file->real->pMethods->xFileSize(file->real, &size);
        file->sizeAtSync = size;
        file->pending = 1;
    }
    Undo *entry = calloc(1, sizeof(Undo));
    if (!entry) return;
    entry->old = calloc(1, length > 0 ? (size_t)length : 1);
    entry->offset = offset;
    entry->length = length;
    /* A short read past the end fills with zeros; the truncate to sizeAtSync removes that tail anyway. */
    file->real->pMethods->xRead(file->real, entry->old, length, offset);
    entry->next = file->undo;
    file->undo = entry;
}

static int fClose(sqlite3_file *f) {
    FaultFile *file = (FaultFile *)f;
    sqlite3_mutex_enter(lock);
    if (file->tracked) {
        FaultFile **link = &openFiles;
        while (*link && *link != file) link = &(*link)->next;
        if (*link) *link = file->next;
        dropUndo(file);
    }
    sqlite3_mutex_leave(lock);
    return file->real->pMethods->xClose(file->real);
}

static int fRead(sqlite3_file *f, void *buffer, int amount, sqlite3_int64 offset) {
    FaultFile *file = (FaultFile *)f;
    return file->real->pMethods->xRead(file->real, buffer, amount, offset);
}

static int fWrite(sqlite3_file *f, const void *buffer, int amount, sqlite3_int64 offset) {
    FaultFile *file = (FaultFile *)f;
    if (!file->tracked) return file->real->pMethods->xWrite(file->real, buffer, amount, offset);
    sqlite3_mutex_enter(lock);
    int rc = injected(SQLITE_IOERR_WRITE);
    if (rc == SQLITE_OK) remember(file, offset, amount);
    sqlite3_mutex_leave(lock);
    if (rc != SQLITE_OK) return rc;
    return file->real->pMethods->xWrite(file->real, buffer, amount, offset);
}

static int fTruncate(sqlite3_file *f, sqlite3_int64 size) {
    FaultFile *file = (FaultFile *)f;
    if (!file->tracked) return file->real->pMethods->xTruncate(file->real, size);
    sqlite3_mutex_enter(lock);
    int rc = injected(SQLITE_IOERR_TRUNCATE);
    if (rc == SQLITE_OK) {
        sqlite3_int64 current = 0;
        file->real->pMethods->xFileSize(file->real, &current);
        if (current > size && current - size < (1 << 30)) remember(file, size, (int)(current - size));
    }
    sqlite3_mutex_leave(lock);
    if (rc != SQLITE_OK) return rc;
    return file->real->pMethods->xTruncate(file->real, size);
}

static int fSync(sqlite3_file *f, int flags) {
    FaultFile *file = (FaultFile *)f;
    if (!file->tracked) return file->real->pMethods->xSync(file->real, flags);
    sqlite3_mutex_enter(lock);
    int rc = injected(SQLITE_IOERR_FSYNC);
    sqlite3_mutex_leave(lock);
    if (rc != SQLITE_OK) return rc;
    rc = file->real->pMethods->xSync(file->real, flags);
    if (rc == SQLITE_OK) {
        sqlite3_mutex_enter(lock);
        dropUndo(file);
        sqlite3_mutex_leave(lock);
    }
    return rc;
}

static int fFileSize(sqlite3_file *f, sqlite3_int64 *size) {
    FaultFile *file = (FaultFile *)f;
    return file->real->pMethods->xFileSize(file->real, size);
}
static int fLock(sqlite3_file *f, int level) {
    FaultFile *file = (FaultFile *)f;
    return file->real->pMethods->xLock(file->real, level);
}
static int fUnlock(sqlite3_file *f, int level) {
    FaultFile *file = (FaultFile *)f;
    return file->real->pMethods->xUnlock(file->real, level);
}
static int fCheckReservedLock(sqlite3_file *f, int *out) {
    FaultFile *file = (FaultFile *)f;
    return file->real->pMethods->xCheckReservedLock(file->real, out);
}
static int fFileControl(sqlite3_file *f, int op, void *arg) {
    FaultFile *file = (FaultFile *)f;
    return file->real->pMethods->xFileControl(file->real, op, arg);
}
static int fSectorSize(sqlite3_file *f) {
    FaultFile *file = (FaultFile *)f;
    return file->real->pMethods->xSectorSize(file->real);
}
static int fDeviceCharacteristics(sqlite3_file *f) {
    FaultFile *file = (FaultFile *)f;
    return file->real->pMethods->xDeviceCharacteristics(file->real);
}
static int fShmMap(sqlite3_file *f, int page, int size, int extend, void volatile **out) {
    FaultFile *file = (FaultFile *)f;
    return file->real->pMethods->xShmMap(file->real, page, size, extend, out);
}
static int fShmLock(sqlite3_file *f, int offset, int n, int flags) {
    FaultFile *file = (FaultFile *)f;
    return file->real->pMethods->xShmLock(file->real, offset, n, flags);
}
static void fShmBarrier(sqlite3_file *f) {
    FaultFile *file = (FaultFile *)f;
    file->real->pMethods->xShmBarrier(file->real);
}
static int fShmUnmap(sqlite3_file *f, int deleteFlag) {
    FaultFile *file = (FaultFile *)f;
    return file->real->pMethods->xShmUnmap(file->real, deleteFlag);
}
/* No memory-mapped I/O: every page goes through xRead and xWrite, so every write can be faulted. */
static int fFetch(sqlite3_file *f, sqlite3_int64 offset, int amount, void **out) {
    (void)f; (void)offset; (void)amount;
    *out = 0;
    return SQLITE_OK;
}
static int fUnfetch(sqlite3_file *f, sqlite3_int64 offset, void *pointer) {
    (void)f; (void)offset; (void)pointer;
    return SQLITE_OK;
}

static const sqlite3_io_methods faultMethods = {
    3, fClose, fRead, fWrite, fTruncate, fSync, fFileSize, fLock, fUnlock, fCheckReservedLock, fFileControl,
    fSectorSize, fDeviceCharacteristics, fShmMap, fShmLock, fShmBarrier, fShmUnmap, fFetch, fUnfetch,
};

static int vOpen(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f, int flags, int *outFlags) {
    (void)vfs;
    FaultFile *file = (FaultFile *)f;
    memset(file, 0, sizeof(FaultFile));
    file->real = (sqlite3_file *)&file[1];
    int rc = realVfs->xOpen(realVfs, name, file->real, flags, outFlags);
    if (rc != SQLITE_OK) {
        file->base.pMethods = 0;
        return rc;
    }
    file->base.pMethods = &faultMethods;
    file->tracked = name && strstr(name, "faultvfs") != 0;
    if (file->tracked) {
        sqlite3_mutex_enter(lock);
        file->next = openFiles;
        openFiles = file;
        sqlite3_mutex_leave(lock);
    }
    return SQLITE_OK;
}

static int vDelete(sqlite3_vfs *vfs, const char *name, int syncDir) {
    (void)vfs;
    if (dead && name && strstr(name, "faultvfs")) return SQLITE_IOERR_DELETE;
    return realVfs->xDelete(realVfs, name, syncDir);
}
static int vAccess(sqlite3_vfs *vfs, const char *name, int flags, int *out) {
    (void)vfs;
    return realVfs->xAccess(realVfs, name, flags, out);
}
static int vFullPathname(sqlite3_vfs *vfs, const char *name, int size, char *out) {
    (void)vfs;
    return realVfs->xFullPathname(realVfs, name, size, out);
}
static void *vDlOpen(sqlite3_vfs *vfs, const char *name) {
    (void)vfs;
    return realVfs->xDlOpen(realVfs, name);
}
static void vDlError(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs;
    realVfs->xDlError(realVfs, size, out);
}
static void (*vDlSym(sqlite3_vfs *vfs, void *handle, const char *symbol))(void) {
    (void)vfs;
    return realVfs->xDlSym(realVfs, handle, symbol);
}
static void vDlClose(sqlite3_vfs *vfs, void *handle) {
    (void)vfs;
    realVfs->xDlClose(realVfs, handle);
}
static int vRandomness(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs;
    return realVfs->xRandomness(realVfs, size, out);
}
static int vSleep(sqlite3_vfs *vfs, int microseconds) {
    (void)vfs;
    return realVfs->xSleep(realVfs, microseconds);
}
static int vCurrentTime(sqlite3_vfs *vfs, double *out) {
    (void)vfs;
    return realVfs->xCurrentTime(realVfs, out);
}
static int vGetLastError(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs;
    return realVfs->xGetLastError ? realVfs->xGetLastError(realVfs, size, out) : 0;
}
static int vCurrentTimeInt64(sqlite3_vfs *vfs, sqlite3_int64 *out) {
    (void)vfs;
    return realVfs->xCurrentTimeInt64(realVfs, out);
}

int pdk_faults_install(void) {
    if (realVfs) return SQLITE_OK;
    sqlite3_initialize();
    sqlite3_vfs *system = sqlite3_vfs_find(0);
    if (!system) return SQLITE_ERROR;
    lock = sqlite3_mutex_alloc(SQLITE_MUTEX_FAST);
    faultVfs.iVersion = 2;
    faultVfs.szOsFile = (int)sizeof(FaultFile) + system->szOsFile;
    faultVfs.mxPathname = system->mxPathname;
    faultVfs.zName = "publicdata-faults";
    faultVfs.xOpen = vOpen;
    faultVfs.xDelete = vDelete;
    faultVfs.xAccess = vAccess;
    faultVfs.xFullPathname = vFullPathname;
    faultVfs.xDlOpen = vDlOpen;
    faultVfs.xDlError = vDlError;
    faultVfs.xDlSym = vDlSym;
    faultVfs.xDlClose = vDlClose;
    faultVfs.xRandomness = vRandomness;
    faultVfs.xSleep = vSleep;
    faultVfs.xCurrentTime = vCurrentTime;
    faultVfs.xGetLastError = vGetLastError;
    faultVfs.xCurrentTimeInt64 = vCurrentTimeInt64;
    realVfs = system;
    return sqlite3_vfs_register(&faultVfs, 1);
}

void pdk_faults_arm(int kind, long long calls) {
    sqlite3_mutex_enter(lock);
    faultKind = kind;
    countdown = calls;
    writeCalls = 0;
    fired = 0;
    dead = 0;
    sqlite3_mutex_leave(lock);
}

void pdk_faults_reset(void) {
    sqlite3_mutex_enter(lock);
    faultKind = 0;
    countdown = -1;
    fired = 0;
    dead = 0;
    for (FaultFile *file = openFiles; file; file = file->next) dropUndo(file);
    sqlite3_mutex_leave(lock);
}

long long pdk_faults_write_calls(void) { return writeCalls; }

int pdk_faults_fired(void) { return fired; }
