import Foundation
import Persistence
import RaftCore
import Synchronization

/// The figures the persistence issue asks for, measured on the disk under `directory`.
enum Benchmark {
  static let entryBytes = 100

  /// The disk is shared with other work, so its rate drifts from second to second: every
  /// measurement (raw, 1, 8, 64 appenders) runs in short slices taken in turn, so all figures
  /// see the same disk and the ratios compare like with like.
  static let slices = 12

  static func run(directory: String?, seconds: Double, recoveryEntries: Int) {
    let root = directory ?? makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    print(
      "grove-wal-bench: data under \(root), \(seconds) s per measurement in \(slices) interleaved slices, "
        + "\(entryBytes)-byte entries")
    do {
      let raw = try RawSyncBench(directory: root + "/raw")
      let logs = try [1, 8, 64].map { try AppendBench(directory: root + "/appenders-\($0)", appenders: $0) }
      let slice = seconds / Double(slices)
      var rawRate = 0.0
      var rates = [(appends: Double, syncs: Double)](repeating: (0, 0), count: logs.count)
      for _ in 0..<slices {
        rawRate += try raw.measure(seconds: slice) / Double(slices)
        for (k, bench) in logs.enumerated() {
          let measured = try bench.measure(seconds: slice)
          rates[k].appends += measured.appends / Double(slices)
          rates[k].syncs += measured.syncs / Double(slices)
        }
      }
      print(String(format: "raw write+fdatasync:      %9.0f syncs/s", rawRate))
      let single = rates[0].appends
      for (k, bench) in logs.enumerated() {
        let (appends, syncs) = rates[k]
        print(
          String(
            format:
              "%2d appender%@:            %9.0f appends/s %9.0f syncs/s  (%.1f appends/sync, %.2fx single)",
            bench.appenders, bench.appenders == 1 ? " " : "s", appends, syncs, appends / max(syncs, 1),
            appends / max(single, 1)))
      }
      print(String(format: "single appender / raw:    %9.2f", single / max(rawRate, 1)))
      for bench in logs { bench.close() }
      let (recoverySeconds, bytes) = try recoveryTime(directory: root + "/recovery", entries: recoveryEntries)
      print(
        String(
          format: "recovery of %d entries:  %.3f s (%.0f MB of log, page cache warm)", recoveryEntries,
          recoverySeconds, Double(bytes) / 1e6))
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

/// The disk's own rate: one pwrite of an entry-sized record at the end of a pre-allocated
/// file, then fdatasync, in a loop.
final class RawSyncBench {
  private let file: any DurableFile
  private var offset: Int64 = 0
  private let record = [UInt8](repeating: 0xA5, count: Benchmark.entryBytes + 30)

  init(directory: String) throws(PersistenceError) {
    let fileSystem = PosixFileSystem()
    try fileSystem.makeDirectory(directory)
    file = try fileSystem.openFile(directory + "/raw", create: true)
    try file.preallocate(to: 256 << 20)
    try file.sync()
  }

  deinit { file.close() }

  func measure(seconds: Double) throws(PersistenceError) -> Double {
    var count = 0
    let start = Benchmark.monotonicSeconds()
    while Benchmark.monotonicSeconds() - start < seconds {
      try file.write(record, at: offset)
      try file.syncData()
      offset += Int64(record.count)
      count += 1
    }
    return Double(count) / (Benchmark.monotonicSeconds() - start)
  }
}

/// `appenders` threads each append one entry and wait until it is durable, in a loop; the
/// threads share writes and fdatasyncs through `DurableLog.waitUntilDurable`.
final class AppendBench: Sendable {
  let appenders: Int
  private let counting = CountingFileSystem()
  private let log: DurableLog
  private let next = Mutex<UInt64>(1)

  init(directory: String, appenders: Int) throws(PersistenceError) {
    self.appenders = appenders
    log = try DurableLog(directory: directory, fileSystem: counting)
  }

  func close() { log.close() }

  func measure(seconds: Double) throws(PersistenceError) -> (appends: Double, syncs: Double) {
    let appended = Atomic<Int>(0)
    let failure = Mutex<PersistenceError?>(nil)
    let done = DispatchGroup()
    let syncsBefore = counting.syncs.load(ordering: .relaxed)
    let start = Benchmark.monotonicSeconds()
    let end = start + seconds
    for _ in 0..<appenders {
      done.enter()
      Thread.detachNewThread { [self] in
        defer { done.leave() }
        let data = [UInt8](repeating: 0x5A, count: Benchmark.entryBytes)
        do throws(PersistenceError) {
          while Benchmark.monotonicSeconds() < end {
            let ticket = try self.next.withLock { (index) throws(PersistenceError) -> DurabilityTicket in
              defer { index += 1 }
              return try log.append([Entry(term: Term(1), index: LogIndex(index), data: data)])
            }
            try log.waitUntilDurable(ticket)
            appended.add(1, ordering: .relaxed)
          }
        } catch {
          failure.withLock { $0 = error }
        }
      }
    }
    done.wait()
    let elapsed = Benchmark.monotonicSeconds() - start
    if let error = failure.withLock({ $0 }) { throw error }
    let syncs = counting.syncs.load(ordering: .relaxed) - syncsBefore
    return (Double(appended.load(ordering: .relaxed)) / elapsed, Double(syncs) / elapsed)
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
