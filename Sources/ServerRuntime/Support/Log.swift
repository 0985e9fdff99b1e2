import Glibc
import Synchronization

/// How much a log line matters.
public enum LogLevel: Int, Comparable, Sendable {
  case debug = 0
  case info = 1
  case warn = 2
  case error = 3

  public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }

  var label: String {
    switch self {
    case .debug: return "DEBUG"
    case .info: return "INFO"
    case .warn: return "WARN"
    case .error: return "ERROR"
    }
  }
}

/// One line per event on standard error: time, level, node, term, message, then `key=value`
/// fields, so `grep`, `cluster/logs` and log shippers can read it without a parser.
public final class Log: Sendable {
  public let node: UInt64
  public let minimum: LogLevel
  /// The Raft term shown on each line; set by the loop thread, read by any thread that logs.
  private let term = Atomic<UInt64>(0)
  /// Serialises writes so lines from different threads never interleave.
  private let writeLock = Mutex<Void>(())

  public init(node: UInt64, minimum: LogLevel = .info) {
    self.node = node
    self.minimum = minimum
  }

  public func setTerm(_ value: UInt64) { term.store(value, ordering: .relaxed) }

  public func debug(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, String> = [:]) {
    write(.debug, message, fields)
  }
  public func info(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, String> = [:]) {
    write(.info, message, fields)
  }
  public func warn(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, String> = [:]) {
    write(.warn, message, fields)
  }
  public func error(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, String> = [:]) {
    write(.error, message, fields)
  }

  private func write(
    _ level: LogLevel, _ message: () -> String, _ fields: KeyValuePairs<String, String>
  ) {
    guard level >= minimum else { return }
    var line = Log.timestamp()
    line += " \(level.label) node=\(node) term=\(term.load(ordering: .relaxed)) \(message())"
    for (key, value) in fields {
      line += " \(key)=\(value.contains(" ") ? "\"\(value)\"" : value)"
    }
    line += "\n"
    writeLock.withLock { _ in
      let bytes = Array(line.utf8)
      var offset = 0
      while offset < bytes.count {
        let n = bytes.withUnsafeBytes { buf in
          Glibc.write(2, buf.baseAddress! + offset, buf.count - offset)
        }
        if n <= 0 {
          if n < 0 && errno == EINTR { continue }
          return
        }
        offset += n
      }
    }
  }

  /// UTC wall-clock time with milliseconds, ISO 8601.
  static func timestamp() -> String {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    var seconds = ts.tv_sec
    var parts = tm()
    gmtime_r(&seconds, &parts)
    func pad(_ v: Int32, _ width: Int) -> String {
      let s = String(v)
      return String(repeating: "0", count: max(0, width - s.count)) + s
    }
    return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
      + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
      + "\(pad(Int32(ts.tv_nsec / 1_000_000), 3))Z"
  }
}
