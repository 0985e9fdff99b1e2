/// A usage error: the CLI prints it with the usage text and exits 2.
struct UsageError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}

/// The parsed command line: global options, then a command with its flags and operands.
struct Arguments {
  var servers = "127.0.0.1:2181"
  var json = false
  var timeoutSeconds = 10.0
  var command = ""
  var flags: Set<String> = []
  var options: [String: String] = [:]
  var operands: [String] = []

  static let usage = """
    usage: grove [-s HOST:PORT[,HOST:PORT...][/chroot]] [--json] [--timeout SECONDS] COMMAND
      ls PATH                              list children
      get PATH                             print data (and stat with --json)
      set PATH DATA [-v VERSION]           replace data
      create [-e] [-s] [-c] [-t TTL_MS] PATH [DATA]
                                           create (ephemeral, sequential, container, TTL)
      rm [-r] [-v VERSION] PATH            delete (-r: with its subtree)
      stat PATH                            print the node's stat
      watch [-r] [-n COUNT] PATH           print events of a persistent (-r recursive) watch
      4lw WORD                             send a four-letter word (ruok, srvr, mntr, ...)
      cluster status                       a row per server of -s: role, term, commit, applied, lag, sessions, znodes
    The server list defaults to $GROVE_SERVERS, else 127.0.0.1:2181.
    Exit status: 0 success, 1 the operation failed, 2 usage error, 3 no server reachable.
    """

  /// Flags (no value) and options (with a value) each command accepts.
  static let commandFlags: [String: (flags: Set<String>, options: Set<String>, operands: ClosedRange<Int>)] = [
    "ls": ([], [], 1...1),
    "get": ([], [], 1...1),
    "set": ([], ["-v"], 2...2),
    "create": (["-e", "-s", "-c"], ["-t"], 1...2),
    "rm": (["-r"], ["-v"], 1...1),
    "stat": ([], [], 1...1),
    "watch": (["-r"], ["-n"], 1...1),
    "4lw": ([], [], 1...1),
    "cluster": ([], [], 1...1),
  ]

  init(_ argv: [String], environment: [String: String]) throws(UsageError) {
    if let fromEnvironment = environment["GROVE_SERVERS"], !fromEnvironment.isEmpty { servers = fromEnvironment }
    var rest = argv[...]
    while let next = rest.first, next.hasPrefix("-"), command.isEmpty {
      rest.removeFirst()
      switch next {
      case "-s", "--servers":
        guard let value = rest.popFirst() else { throw UsageError("\(next) needs HOST:PORT") }
        servers = value
      case "--json": json = true
      case "--timeout":
        guard let value = rest.popFirst(), let seconds = Double(value), seconds > 0 else {
          throw UsageError("--timeout needs a positive number of seconds")
        }
        timeoutSeconds = seconds
      case "-h", "--help": throw UsageError("")
      default: throw UsageError("unknown option \(next)")
      }
    }
    guard let name = rest.popFirst() else { throw UsageError("missing command") }
    guard let spec = Self.commandFlags[name] else { throw UsageError("unknown command '\(name)'") }
    command = name
    while let next = rest.popFirst() {
      if next == "--json" {
        json = true
      } else if spec.flags.contains(next) {
        flags.insert(next)
      } else if spec.options.contains(next) {
        guard let value = rest.popFirst() else { throw UsageError("\(next) needs a value") }
        options[next] = value
      } else if next.hasPrefix("-") && next.count > 1 && !next.hasPrefix("-/") && Int(next) == nil {
        throw UsageError("unknown flag \(next) for \(name)")
      } else {
        operands.append(next)
      }
    }
    guard spec.operands.contains(operands.count) else {
      throw UsageError("\(name) takes \(spec.operands.lowerBound == spec.operands.upperBound ? "\(spec.operands.lowerBound)" : "\(spec.operands.lowerBound) to \(spec.operands.upperBound)") operand(s)")
    }
  }

  /// The integer value of option `name`, if given.
  func intOption(_ name: String) throws(UsageError) -> Int64? {
    guard let text = options[name] else { return nil }
    guard let value = Int64(text) else { throw UsageError("\(name) needs an integer, got '\(text)'") }
    return value
  }
}
