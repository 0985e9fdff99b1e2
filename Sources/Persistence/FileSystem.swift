/// The file operations the log needs, so the same log code runs over the real disk
/// (`PosixFileSystem`) and over the simulator's disk (`SimFileSystem`).
///
/// Durability contract, as POSIX: bytes written to a file are durable only after `syncData()` or
/// `sync()` on it; a created, renamed or removed name is durable only after `syncDirectory` on
/// its directory. Anything not yet durable may be lost, or (for the last write) partly kept, on a
/// crash.
public protocol FileSystem: Sendable {
  /// Creates `path` and any missing parents; succeeds if it exists.
  func makeDirectory(_ path: String) throws(PersistenceError)
  /// The names (not paths) in directory `path`, sorted, without "." and "..".
  func contentsOfDirectory(_ path: String) throws(PersistenceError) -> [String]
  /// Opens `path` for reading and writing, creating an empty file if `create` and it is absent.
  func openFile(_ path: String, create: Bool) throws(PersistenceError) -> any DurableFile
  /// Atomically replaces `destination` with `source`.
  func rename(_ source: String, to destination: String) throws(PersistenceError)
  /// Removes the file at `path`.
  func removeFile(_ path: String) throws(PersistenceError)
  /// Makes the directory's entries (creations, renames, removals) durable.
  func syncDirectory(_ path: String) throws(PersistenceError)
}

/// An open file. All offsets are absolute; there is no file position.
public protocol DurableFile: AnyObject, Sendable {
  /// The path it was opened with (for error messages).
  var path: String { get }
  /// The current size in bytes.
  func size() throws(PersistenceError) -> Int64
  /// Up to `count` bytes from `offset`; fewer only at end of file.
  func read(at offset: Int64, count: Int) throws(PersistenceError) -> [UInt8]
  /// Writes all of `bytes` at `offset`, extending the file if needed.
  func write(_ bytes: [UInt8], at offset: Int64) throws(PersistenceError)
  /// Makes the data written so far durable (fdatasync).
  func syncData() throws(PersistenceError)
  /// Makes the data and the metadata durable (fsync).
  func sync() throws(PersistenceError)
  /// Sets the size to `size`, dropping bytes past it or extending with zeros.
  func truncate(to size: Int64) throws(PersistenceError)
  /// Reserves space so the file is at least `size` bytes, zero-filled past the old end.
  func preallocate(to size: Int64) throws(PersistenceError)
  /// Releases the file; later calls fail.
  func close()
}

/// Joins a directory and a name.
func joinPath(_ directory: String, _ name: String) -> String {
  directory.hasSuffix("/") ? directory + name : directory + "/" + name
}

/// The directory holding `path` ("." for a bare relative name, "/" for a top-level one).
func parentDirectory(of path: String) -> String {
  var components = path.split(separator: "/", omittingEmptySubsequences: true)
  guard !components.isEmpty else { return "/" }
  components.removeLast()
  if path.hasPrefix("/") { return "/" + components.joined(separator: "/") }
  return components.isEmpty ? "." : components.joined(separator: "/")
}
