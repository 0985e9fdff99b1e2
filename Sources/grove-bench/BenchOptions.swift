/// grove-bench's command line.
struct BenchOptions {
  enum Workload: String { case create, set, get, mixed }
  var hosts = "127.0.0.1:2181"
  var workload = Workload.get
  var sessions = 8
  var window = 32
  var seconds: Double? = 10
  var ops: Int?
  var valueBytes = 100
  var keys = 1_000
  var root = "/grove-bench"
  /// Session i talks to server i mod n only, so load is spread evenly over a cluster.
  var spread = false
  /// Leaves the nodes a create run made (for memory and restart measurements).
  var keep = false

  static let usage = """
    usage: grove-bench [--hosts H:P[,H:P...]] [--workload create|set|get|mixed] [--sessions N]
                       [--window W] [--seconds S | --ops N] [--value-bytes B] [--keys K]
                       [--root PATH] [--spread] [--keep]
      Pipelined load over GroveClient: N sessions, each keeping W requests in flight.
      mixed is 90% getData, 10% setData. Prints throughput, latency percentiles and the
      benchmark's own CPU seconds per 10,000 operations.
      --spread: session i connects to server i mod (number of hosts) only.
      --keep: a create run leaves the nodes it made under ROOT/create.
    """

  init(_ argv: [String]) throws(BenchUsageError) {
    var rest = argv[...]
    func value(_ name: String) throws(BenchUsageError) -> String {
      guard let v = rest.popFirst() else { throw BenchUsageError("\(name) needs a value") }
      return v
    }
    func int(_ name: String) throws(BenchUsageError) -> Int {
      guard let v = Int(try value(name)), v > 0 else { throw BenchUsageError("\(name) needs a positive integer") }
      return v
    }
    while let arg = rest.popFirst() {
      switch arg {
      case "--hosts", "-s": hosts = try value(arg)
      case "--workload", "-w":
        let text = try value(arg)
        guard let w = Workload(rawValue: text) else { throw BenchUsageError("unknown workload \(text)") }
        workload = w
      case "--sessions": sessions = try int(arg)
      case "--window": window = try int(arg)
      case "--seconds":
        guard let s = Double(try value(arg)), s > 0 else { throw BenchUsageError("--seconds needs a positive number") }
        seconds = s
        ops = nil
      case "--ops":
        ops = try int(arg)
        seconds = nil
      case "--value-bytes":
        guard let b = Int(try value(arg)), b >= 0 else { throw BenchUsageError("--value-bytes needs a count") }
        valueBytes = b
      case "--keys": keys = try int(arg)
      case "--root": root = try value(arg)
      case "--spread": spread = true
      case "--keep": keep = true
      case "-h", "--help": throw BenchUsageError("")
      default: throw BenchUsageError("unknown argument \(arg)")
      }
    }
  }
}

struct BenchUsageError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}
