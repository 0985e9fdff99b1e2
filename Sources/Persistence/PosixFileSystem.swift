import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The real disk, through POSIX calls (open, pread, pwrite, fdatasync, fsync, rename,
/// ftruncate, posix_fallocate). Every call is retried on EINTR.
public struct PosixFileSystem: FileSystem {
  public init() {}

  public func makeDirectory(_ path: String) throws(PersistenceError) {
    var prefix = path.hasPrefix("/") ? "/" : ""
    for component in path.split(separator: "/") {
      prefix += component
      if mkdir(prefix, 0o755) != 0, errno != EEXIST {
        throw .io(operation: "mkdir", path: prefix, errno: errno)
      }
      prefix += "/"
    }
  }

  public func contentsOfDirectory(_ path: String) throws(PersistenceError) -> [String] {
    guard let dir = opendir(path) else { throw .io(operation: "opendir", path: path, errno: errno) }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
      let name = withUnsafePointer(to: &entry.pointee.d_name) {
        $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
      }
      if name != "." && name != ".." { names.append(name) }
    }
    return names.sorted()
  }

  public func openFile(_ path: String, create: Bool) throws(PersistenceError) -> any DurableFile {
    let flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0)
    let fd = retryingEINTR { open(path, flags, 0o644) }
    guard fd >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
    return PosixFile(path: path, fd: fd)
  }

  public func rename(_ source: String, to destination: String) throws(PersistenceError) {
    #if canImport(Glibc)
      let result = Glibc.rename(source, destination)
    #else
      let result = Darwin.rename(source, destination)
    #endif
    guard result == 0 else { throw .io(operation: "rename to \(destination)", path: source, errno: errno) }
  }

  public func removeFile(_ path: String) throws(PersistenceError) {
    guard unlink(path) == 0 else { throw .io(operation: "unlink", path: path, errno: errno) }
  }

  public func syncDirectory(_ path: String) throws(PersistenceError) {
    let fd = retryingEINTR { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
    guard fd >= 0 else { throw .io(operation: "open directory", path: path, errno: errno) }
    defer { closeDescriptor(fd) }
    guard retryingEINTR({ fsync(fd) }) == 0 else {
      throw .io(operation: "fsync directory", path: path, errno: errno)
    }
  }
}

/// An open POSIX file descriptor. The descriptor is immutable once opened and positional I/O
/// (pread/pwrite) is safe from many threads; `close` is guarded so it happens once.
final class PosixFile: DurableFile {
  let path: String
  private let fd: Int32
  private let isClosed = Atomic<Bool>(false)

  init(path: String, fd: Int32) {
    self.path = path
    self.fd = fd
  }

  deinit { close() }

  func size() throws(PersistenceError) -> Int64 {
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw .io(operation: "fstat", path: path, errno: errno) }
    return Int64(info.st_size)
  }

  func read(at offset: Int64, count: Int) throws(PersistenceError) -> [UInt8] {
    var failure: Int32 = 0
    let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
      var done = 0
      while done < count {
        let n = pread(fd, buffer.baseAddress! + done, count - done, off_t(offset) + off_t(done))
        if n < 0 {
          if errno == EINTR { continue }
          failure = errno
          break
        }
        if n == 0 { break }
        done += n
      }
      initialized = done
    }
    if failure != 0 { throw .io(operation: "pread", path: path, errno: failure) }
    return bytes
  }

  func write(_ bytes: [UInt8], at offset: Int64) throws(PersistenceError) {
    var failure: Int32 = 0
    bytes.withUnsafeBytes { buffer in
      var done = 0
      while done < buffer.count {
        let n = pwrite(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
        if n < 0 {
          if errno == EINTR { continue }
          failure = errno
          return
        }
        done += n
      }
    }
    if failure != 0 { throw .io(operation: "pwrite", path: path, errno: failure) }
  }

  func syncData() throws(PersistenceError) {
    #if canImport(Glibc)
      guard retryingEINTR({ fdatasync(fd) }) == 0 else {
        throw .io(operation: "fdatasync", path: path, errno: errno)
      }
    #else
      try sync()
    #endif
  }

  func sync() throws(PersistenceError) {
    guard retryingEINTR({ fsync(fd) }) == 0 else { throw .io(operation: "fsync", path: path, errno: errno) }
  }

  func truncate(to size: Int64) throws(PersistenceError) {
    guard retryingEINTR({ ftruncate(fd, off_t(size)) }) == 0 else {
      throw .io(operation: "ftruncate", path: path, errno: errno)
    }
  }

  func preallocate(to size: Int64) throws(PersistenceError) {
    let current = try self.size()
    guard size > current else { return }
    #if canImport(Glibc)
      let result = posix_fallocate(fd, 0, off_t(size))
      if result == 0 { return }
      // Some file systems do not support fallocate; extending with zeros keeps the contract.
      guard result == EOPNOTSUPP || result == EINVAL else {
        throw .io(operation: "posix_fallocate", path: path, errno: result)
      }
    #endif
    try truncate(to: size)
  }

  func close() {
    if !isClosed.exchange(true, ordering: .acquiringAndReleasing) { closeDescriptor(fd) }
  }
}

private func closeDescriptor(_ fd: Int32) {
  #if canImport(Glibc)
    _ = Glibc.close(fd)
  #else
    _ = Darwin.close(fd)
  #endif
}

private func retryingEINTR(_ call: () -> Int32) -> Int32 {
  while true {
    let result = call()
    if result >= 0 || errno != EINTR { return result }
  }
}
