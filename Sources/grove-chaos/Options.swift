/// grove-chaos's command line.
struct ChaosOptions {
  static let usage = """
    usage: grove-chaos --hosts H1:P1,H2:P2,... [--seconds S] [--clients C] [--keys K] [--queues Q] [--history FILE]
                       [--op-timeout-ms MS] [--session-timeout-ms MS] [--heal-seconds S] [--heal-file PATH]
                       [--state-budget N] [--check-seconds S] [--seed N] [--reads-without-sync]
           grove-chaos --check FILE [--state-budget N] [--check-seconds S]
      Runs C concurrent clients (each its own session, spread over the hosts) doing register
      operations (write, read after sync, compare-and-set by version) on K keys, sequential appends
      to Q parents and ephemerals tied to sessions for S seconds; then waits for the caller to heal faults
      (--heal-file: until PATH exists; else --heal-seconds), reads the final state, checks the
      history and prints `chaos: N passed, N failed`. Exit status 0 only if every check passed.
      The linearizability search stops with "unknown" past --state-budget states per key or
      --check-seconds in all. --check re-checks a history written by --history. --reads-without-sync drops the sync before
      each read, so a lagging follower may answer with stale data: the checker should then fail.
    """

  var hosts: [String] = []
  var seconds = 30
  var clients = 6
  var keys = 3
  var queues = 4
  var historyPath = "chaos-history.json"
  var opTimeoutMs = 4000
  var sessionTimeoutMs = 8000
  var healSeconds = 5
  var healFile: String?
  var stateBudget = 1_000_000
  var checkSeconds = 300
  var seed: UInt64?
  var checkPath: String?
  /// Reads skip the sync: stale reads from lagging followers become possible. Only to show that
  /// the checker catches them.
  var readsWithoutSync = false

  init(_ arguments: [String]) throws(UsageError) {
    var rest = arguments[...]
    func value(_ flag: String) throws(UsageError) -> String {
      guard let value = rest.popFirst() else { throw UsageError("\(flag) needs a value") }
      return value
    }
    func number(_ flag: String, _ range: ClosedRange<Int>) throws(UsageError) -> Int {
      let text = try value(flag)
      guard let n = Int(text), range.contains(n) else {
        throw UsageError("\(flag) \(text): expected \(range)")
      }
      return n
    }
    while let flag = rest.popFirst() {
      switch flag {
      case "--hosts": hosts = try value(flag).split(separator: ",").map(String.init)
      case "--seconds": seconds = try number(flag, 1...86_400)
      case "--clients": clients = try number(flag, 1...256)
      case "--keys": keys = try number(flag, 1...64)
      case "--queues": queues = try number(flag, 1...64)
      case "--history": historyPath = try value(flag)
      case "--op-timeout-ms": opTimeoutMs = try number(flag, 10...600_000)
      case "--session-timeout-ms": sessionTimeoutMs = try number(flag, 1000...600_000)
      case "--heal-seconds": healSeconds = try number(flag, 0...3600)
      case "--heal-file": healFile = try value(flag)
      case "--state-budget": stateBudget = try number(flag, 1...1_000_000_000)
      case "--check-seconds": checkSeconds = try number(flag, 1...86_400)
      case "--seed": seed = UInt64(try number(flag, 0...Int.max))
      case "--check": checkPath = try value(flag)
      case "--reads-without-sync": readsWithoutSync = true
      case "-h", "--help": throw UsageError("")
      default: throw UsageError("unknown option \(flag)")
      }
    }
    if checkPath == nil && hosts.isEmpty { throw UsageError("--hosts is required") }
  }
}

struct UsageError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}
