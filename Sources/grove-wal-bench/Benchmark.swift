import Foundation
import Persistence
import RaftCore
import Synchronization

/// The figures the persistence issue asks for, measured on the disk under `directory`.
enum Benchmark {
  static let entryBytes = 100

  static func run(directory: String?, seconds: Double, recoveryEntries: Int) {
    let root = directory ?? makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    print("grove-wal-bench: data under \(root), \(seconds) s per measurement, \(entryBytes)-byte entries")
    do {
      let raw = try rawSyncRate(directory: root + "/raw", seconds: seconds)
      print(String(format: "raw write+fdatasync:      %9.0f syncs/s", raw))
      var single = 0.0
      for appenders in [1, 8, 64] {
        let (appends, syncs) = try appendRate(
          directory: root + "/appenders-\(appenders)", appenders: appenders, seconds: seconds)
        if appenders == 1 { single = appends }
        print(
          String(
            format:
              "%2d appender%@:            %9.0f appends/s %9.0f syncs/s  (%.1f appends/sync, %.2fx single, single/raw %.2f)",
            appenders, appenders == 1 ? " " : "s", appends, syncs, appends / max(syncs, 1),
            appends / max(single, 1),
            single / max(raw, 1)))
      }
      let (recoverySeconds, bytes) = try recoveryTime(directory: root + "/recovery", entries: recoveryEntries)
      print(
        String(
          format: "recovery of %d entries:  %.3f s (%.0f MB of log, page cache warm)", recoveryEntries,
          recoverySeconds,
          Double(bytes) / 1e6))
    } catch {
      print("error: \(error)")
      exit(1)
    }
  }

  static func makeTemporaryDirectory() -> String {
    var template = Array("/tmp/grove-wal-bench-XXXXXX".utf8CString)
    guard let result = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
      print("mkdtemp failed")
      exit(1)
    }
    return String(cString: result)
  }

  /// The disk's own rate: one 100-byte pwrite at the end of a pre-allocated file, then fdatasync.
  static func rawSyncRate(directory: String, seconds: Double) throws(PersistenceError) -> Double {
    let fileSystem = PosixFileSystem()
    try fileSystem.makeDirectory(directory)
    let file = try fileSystem.openFile(directory + "/raw", create: true)
    defer { file.close() }
    try file.preallocate(to: 64 << 20)
    try file.sync()
    let record = [UInt8](repeating: 0xA5, count: entryBytes + 30)
    var offset: Int64 = 0
    var count = 0
    let start = monotonicSeconds()
    while monotonicSeconds() - start < seconds {
      try file.write(record, at: offset)
      try file.syncData()
      offset += Int64(record.count)
      count += 1
    }
    return Double(count) / (monotonicSeconds() - start)
  }

  /// `appenders` threads each append one entry and wait until it is durable, in a loop.
  static func appendRate(directory: String, appenders: Int, seconds: Double) throws(PersistenceError) -> (
    Double, Double
  ) {
    let counting = CountingFileSystem()
    let log = try DurableLog(directory: directory, fileSystem: counting)
    defer { log.close() }
    let next = Mutex<UInt64>(1)
    let appended = Atomic<Int>(0)
    let failure = Mutex<PersistenceError?>(nil)
    let deadline = Mutex<Double>(0)
    let done = DispatchGroup()
    let syncsBefore = counting.syncs.load(ordering: .relaxed)
    let start = monotonicSeconds()
    deadline.withLock { $0 = start + seconds }
    for _ in 0..<appenders {
      done.enter()
      Thread.detachNewThread {
        defer { done.leave() }
        let data = [UInt8](repeating: 0x5A, count: entryBytes)
        let end = deadline.withLock { $0 }
        do {
          while monotonicSeconds() < end {
            let ticket = try next.withLock { (index) throws(PersistenceError) -> DurabilityTicket in
              defer { index += 1 }
              return try log.append([Entry(term: Term(1), index: LogIndex(index), data: data)])
            }
            try log.waitUntilDurable(ticket)
            appended.add(1, ordering: .relaxed)
          }
        } catch {
          failure.withLock { $0 = error as? PersistenceError }
        }
      }
    }
    done.wait()
    let elapsed = monotonicSeconds() - start
    if let error = failure.withLock({ $0 }) { throw error }
    let syncs = counting.syncs.load(ordering: .relaxed) - syncsBefore
    return (Double(appended.load(ordering: .relaxed)) / elapsed, Double(syncs) / elapsed)
  }

  /// Writes `entries` entries (in large batches), closes the log, and times reopening it.
  static func recoveryTime(directory: String, entries: Int) throws(PersistenceError) -> (Double, Int) {
    let fileSystem = PosixFileSystem()
    let data = [UInt8](repeating: 0x3C, count: entryBytes)
    do {
      let log = try DurableLog(directory: directory, fileSystem: fileSystem)
      var index: UInt64 = 1
      while index <= UInt64(entries) {
        let batch = (index..<min(index + 10_000, UInt64(entries) + 1)).map {
          Entry(term: Term(1), index: LogIndex($0), data: data)
        }
        _ = try log.append(batch)
        try log.flush()
        index += UInt64(batch.count)
      }
      log.close()
    }
    let start = monotonicSeconds()
    let log = try DurableLog(directory: directory, fileSystem: fileSystem)
    let elapsed = monotonicSeconds() - start
    defer { log.close() }
    guard (try? log.lastIndex()) == LogIndex(UInt64(entries)) else {
      throw .failed("recovered \(String(describing: try? log.lastIndex())) entries, expected \(entries)")
    }
    let bytes = entries * (entryBytes + 30)
    return (elapsed, bytes)
  }

  static func monotonicSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
  }
}

/// The POSIX file system, counting fdatasyncs so the benchmark can report syncs/s.
final class CountingFileSystem: FileSystem {
  let syncs = Atomic<Int>(0)
  private let posix = PosixFileSystem()

  func makeDirectory(_ path: String) throws(PersistenceError) { try posix.makeDirectory(path) }
  func contentsOfDirectory(_ path: String) throws(PersistenceError) -> [String] {
    try posix.contentsOfDirectory(path)
  }
  func openFile(_ path: String, create: Bool) throws(PersistenceError) -> any DurableFile {
    CountingFile(try posix.openFile(path, create: create), syncs: self)
  }
  func rename(_ source: String, to destination: String) throws(PersistenceError) {
    try posix.rename(source, to: destination)
  }
  func removeFile(_ path: String) throws(PersistenceError) { try posix.removeFile(path) }
  func syncDirectory(_ path: String) throws(PersistenceError) { try posix.syncDirectory(path) }
}

final class CountingFile: DurableFile {
  private let file: any DurableFile
  private let counter: CountingFileSystem

  init(_ file: any DurableFile, syncs counter: CountingFileSystem) {
    self.file = file
    self.counter = counter
  }

  var path: String { file.path }
  func size() throws(PersistenceError) -> Int64 { try file.size() }
  func read(at offset: Int64, count: Int) throws(PersistenceError) -> [UInt8] {
    try file.read(at: offset, count: count)
  }
  func write(_ bytes: [UInt8], at offset: Int64) throws(PersistenceError) {
    try file.write(bytes, at: offset)
  }
  func syncData() throws(PersistenceError) {
    counter.syncs.add(1, ordering: .relaxed)
    try file.syncData()
  }
  func sync() throws(PersistenceError) { try file.sync() }
  func truncate(to size: Int64) throws(PersistenceError) { try file.truncate(to: size) }
  func preallocate(to size: Int64) throws(PersistenceError) { try file.preallocate(to: size) }
  func close() { file.close() }
}
