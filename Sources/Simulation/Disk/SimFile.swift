import Persistence

/// An open file on a `SimFileSystem`. Dead after a crash (every call then fails with EBADF), as a
/// process's descriptors die with it.
final class SimFile: DurableFile {
  let path: String
  private let fileSystem: SimFileSystem
  private let inode: Int
  private let generation: Int

  init(fileSystem: SimFileSystem, inode: Int, generation: Int, path: String) {
    self.fileSystem = fileSystem
    self.inode = inode
    self.generation = generation
    self.path = path
  }

  private func withInode<Result>(
    _ operation: String, _ body: (inout SimDisk) throws(PersistenceError) -> Result
  ) throws(PersistenceError) -> Result {
    try fileSystem.disk.withLock { (disk) throws(PersistenceError) -> Result in
      guard disk.generation == generation, disk.inodes[inode] != nil else {
        throw .io(operation: operation, path: path, errno: 9)
      }
      return try body(&disk)
    }
  }

  func size() throws(PersistenceError) -> Int64 {
    try withInode("fstat") { disk in Int64(disk.inodes[inode]!.volatile.count) }
  }

  func read(at offset: Int64, count: Int) throws(PersistenceError) -> [UInt8] {
    try withInode("pread") { disk in
      let bytes = disk.inodes[inode]!.volatile
      let start = min(Int(offset), bytes.count)
      return Array(bytes[start..<min(start + count, bytes.count)])
    }
  }

  func write(_ bytes: [UInt8], at offset: Int64) throws(PersistenceError) {
    try withInode("pwrite") { (disk) throws(PersistenceError) in
      guard disk.write(bytes, at: Int(offset), inode: inode) else {
        throw .io(operation: "pwrite", path: path, errno: 5)
      }
    }
  }

  func syncData() throws(PersistenceError) {
    try withInode("fdatasync") { (disk) throws(PersistenceError) in
      guard disk.sync(inode: inode) else { throw .io(operation: "fdatasync", path: path, errno: 5) }
    }
  }

  func sync() throws(PersistenceError) {
    try withInode("fsync") { (disk) throws(PersistenceError) in
      guard disk.sync(inode: inode) else { throw .io(operation: "fsync", path: path, errno: 5) }
    }
  }

  func truncate(to size: Int64) throws(PersistenceError) {
    try withInode("ftruncate") { (disk) throws(PersistenceError) in
      guard disk.resize(inode: inode, to: Int(size)) else {
        throw .io(operation: "ftruncate", path: path, errno: 5)
      }
    }
  }

  func preallocate(to size: Int64) throws(PersistenceError) {
    try withInode("fallocate") { (disk) throws(PersistenceError) in
      guard Int(size) > disk.inodes[inode]!.volatile.count else { return }
      guard disk.resize(inode: inode, to: Int(size)) else {
        throw .io(operation: "fallocate", path: path, errno: 5)
      }
    }
  }

  func close() {}
}
