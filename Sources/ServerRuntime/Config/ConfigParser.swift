import Transport

/// Reads `zoo.cfg`-format text into a `ServerConfig`, rejecting what it does not understand.
///
/// Keys ZooKeeper knows but Grove has no use for are accepted and reported back as ignored, so an
/// existing config carries over; any other key is an error naming the line, since a typo in a
/// key would otherwise silently leave a default in force.
public enum ConfigParser {
  /// ZooKeeper keys that Grove accepts and does not use.
  static let ignoredKeys: Set<String> = [
    "autopurge.purgeInterval", "autopurge.snapRetainCount", "preAllocSize",
    "globalOutstandingLimit", "leaderServes", "cnxTimeout", "standaloneEnabled",
    "reconfigEnabled", "skipACL", "quorumListenOnAllIPs", "admin.enableServer",
    "admin.serverAddress", "admin.serverPort", "metricsProvider.className",
    "metricsProvider.httpPort", "metricsProvider.exportJvmInfo", "forceSync", "syncEnabled",
    "electionAlg", "secureClientPort", "secureClientPortAddress", "serverCnxnFactory",
    "dynamicConfigFile", "peerType", "localSessionsEnabled", "localSessionsUpgradingEnabled",
    "clientPortListenBacklog", "maxCnxns", "sslQuorum", "portUnification",
    "zookeeper.sasl.client", "authProvider.1", "jvm.pause.warn-threshold.ms",
    "fsync.warningthresholdms", "connectToLearnerMasterLimit", "learner.asyncSending",
    "snapshot.trust.empty", "zookeeper.snapshot.compression.method", "audit.enable",
  ]

  public struct Parsed: Sendable {
    public var config: ServerConfig
    /// Keys that were accepted but have no effect in Grove, with their lines.
    public var ignored: [(key: String, line: Int)]
  }

  public static func parse(_ text: String, file: String? = nil) throws(ConfigError) -> Parsed {
    var config = ServerConfig()
    var ignored: [(key: String, line: Int)] = []
    var seen: [String: Int] = [:]
    var lineNumber = 0
    for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
      lineNumber += 1
      let line = rawLine.trimmingWhitespace()
      if line.isEmpty || line.hasPrefix("#") { continue }
      guard let eq = line.firstIndex(of: "=") else {
        throw ConfigError(file: file, line: lineNumber, "expected key=value, found '\(line)'")
      }
      let key = String(line[..<eq]).trimmingWhitespace()
      let value = String(line[line.index(after: eq)...]).trimmingWhitespace()
      if key.isEmpty { throw ConfigError(file: file, line: lineNumber, "empty key") }
      if let first = seen[key] {
        throw ConfigError(file: file, line: lineNumber, "key '\(key)' repeats line \(first)")
      }
      seen[key] = lineNumber
      let context = Context(file: file, line: lineNumber, key: key, value: value)
      if try apply(context, to: &config) { continue }
      if ignoredKeys.contains(key) {
        ignored.append((key, lineNumber))
        continue
      }
      throw ConfigError(file: file, line: lineNumber, "unknown key '\(key)'")
    }
    try validate(config, file: file)
    return Parsed(config: config, ignored: ignored)
  }

  struct Context {
    var file: String?
    var line: Int
    var key: String
    var value: String

    func fail(_ message: String) -> ConfigError {
      ConfigError(file: file, line: line, "\(key): \(message)")
    }

    func int(in range: ClosedRange<Int>) throws(ConfigError) -> Int {
      guard let n = Int(value), range.contains(n) else {
        throw fail("'\(value)' is not a whole number in \(range.lowerBound)...\(range.upperBound)")
      }
      return n
    }

    func port() throws(ConfigError) -> UInt16 { UInt16(try int(in: 1...65535)) }

    func bool() throws(ConfigError) -> Bool {
      switch value.lowercased() {
      case "true", "yes": return true
      case "false", "no": return false
      default: throw fail("'\(value)' is not true or false")
      }
    }
  }

  /// Applies a key Grove understands; false when the key is not one of them.
  static func apply(_ c: Context, to config: inout ServerConfig) throws(ConfigError) -> Bool {
    switch c.key {
    case "tickTime": config.tickTimeMs = try c.int(in: 1...600_000)
    case "initLimit": config.initLimitTicks = try c.int(in: 1...10_000)
    case "syncLimit": config.syncLimitTicks = try c.int(in: 1...10_000)
    case "dataDir":
      guard !c.value.isEmpty else { throw c.fail("must name a directory") }
      config.dataDir = c.value
    case "dataLogDir":
      guard !c.value.isEmpty else { throw c.fail("must name a directory") }
      config.dataLogDir = c.value
    case "clientPort": config.clientPort = try c.port()
    case "clientPortAddress":
      guard (try? SocketAddress(host: c.value, port: 0)) != nil else {
        throw c.fail("'\(c.value)' is not an IPv4 address")
      }
      config.clientPortAddress = c.value
    case "maxClientCnxns": config.maxClientCnxns = try c.int(in: 0...1_000_000)
    case "minSessionTimeout": config.minSessionTimeoutMs = try c.int(in: 1...86_400_000)
    case "maxSessionTimeout": config.maxSessionTimeoutMs = try c.int(in: 1...86_400_000)
    case "jute.maxbuffer": config.juteMaxBufferBytes = try c.int(in: 1024...(256 << 20))
    case "4lw.commands.whitelist":
      let words = c.value.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
      for word in words where word != "*" && !FourLetterWordNames.all.contains(word) {
        throw c.fail("'\(word)' is not a four-letter word (known: \(FourLetterWordNames.all.sorted().joined(separator: " ")))")
      }
      config.fourLetterWords = words.contains("*") ? FourLetterWordNames.all : Set(words)
    case "extendedTypesEnabled", "zookeeper.extendedTypesEnabled":
      config.extendedTypesEnabled = try c.bool()
    case "grove.myid": config.myID = UInt64(try c.int(in: 1...254))
    case "grove.raftTickMs": config.raftTickMs = try c.int(in: 1...60_000)
    case "grove.initialClusterState":
      switch c.value {
      case "new": config.initialClusterNew = true
      case "existing": config.initialClusterNew = false
      default: throw c.fail("'\(c.value)' is not new or existing")
      }
    case "grove.electionTicks": config.electionTicks = try c.int(in: 2...1000)
    case "snapCount", "grove.snapshotTransactions", "grove.snapshotEntries": config.snapshotTransactions = try c.int(in: 100...100_000_000)
    case "snapSizeLimitInKb": config.snapshotBytes = try c.int(in: 64...(64 << 20)) * 1024
    case "grove.snapshotBytes": config.snapshotBytes = try c.int(in: 65536...(1 << 40))
    case "grove.snapshotWriteMBps": config.snapshotWriteMBps = try c.int(in: 0...100_000)
    case "znode.container.checkIntervalMs", "grove.reapIntervalMs":
      config.reapIntervalMs = try c.int(in: 10...86_400_000)
    case "grove.linearizableReads": config.linearizableReads = try c.bool()
    case "grove.adminPort": config.adminPort = try c.port()
    case "grove.clusterId":
      guard !c.value.isEmpty, c.value.utf8.count <= 64 else { throw c.fail("must be 1 to 64 bytes") }
      config.clusterID = c.value
    default:
      guard c.key.hasPrefix("server.") else { return false }
      config.servers.append(try parseServer(c))
    }
    return true
  }

  /// `server.N=host:peerPort[:electionPort][:participant|observer][;[clientHost:]clientPort]`
  static func parseServer(_ c: Context) throws(ConfigError) -> ServerEntry {
    guard let id = UInt64(c.key.dropFirst("server.".count)), (1...254).contains(id) else {
      throw c.fail("the server id must be a whole number in 1...254")
    }
    let halves = c.value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)
    let parts = halves[0].split(separator: ":", omittingEmptySubsequences: false).map(String.init)
    guard parts.count >= 2, parts.count <= 4, !parts[0].isEmpty else {
      throw c.fail("expected host:peerPort[:electionPort][:role][;clientPort], found '\(c.value)'")
    }
    func port(_ text: String) throws(ConfigError) -> UInt16 {
      guard let p = UInt16(text), p > 0 else { throw c.fail("'\(text)' is not a port") }
      return p
    }
    var entry = ServerEntry(
      id: id, host: parts[0], peerPort: try port(parts[1]), electionPort: nil, isObserver: false,
      clientHost: nil, clientPort: nil)
    for extra in parts.dropFirst(2) {
      switch extra {
      case "participant": entry.isObserver = false
      case "observer": entry.isObserver = true
      default: entry.electionPort = try port(extra)
      }
    }
    if halves.count == 2 {
      let client = halves[1].split(separator: ":", omittingEmptySubsequences: false).map(String.init)
      switch client.count {
      case 1: entry.clientPort = try port(client[0])
      case 2:
        entry.clientHost = client[0]
        entry.clientPort = try port(client[1])
      default: throw c.fail("expected [clientHost:]clientPort after ';'")
      }
    }
    return entry
  }

  static func validate(_ config: ServerConfig, file: String?) throws(ConfigError) {
    if config.dataDir.isEmpty { throw ConfigError(file: file, "dataDir is required") }
    if config.minSessionTimeoutMsEffective > config.maxSessionTimeoutMsEffective {
      throw ConfigError(
        file: file,
        "minSessionTimeout (\(config.minSessionTimeoutMsEffective) ms) is above maxSessionTimeout (\(config.maxSessionTimeoutMsEffective) ms)"
      )
    }
    var ids = Set<UInt64>()
    for server in config.servers where !ids.insert(server.id).inserted {
      throw ConfigError(file: file, "server.\(server.id) appears twice")
    }
    if config.clientPort == nil && config.servers.allSatisfy({ $0.clientPort == nil }) {
      throw ConfigError(file: file, "clientPort is required (or a ;clientPort on the server lines)")
    }
  }
}

/// The four-letter words a server may answer, as ZooKeeper 3.8 names them.
public enum FourLetterWordNames {
  public static let all: Set<String> = [
    "conf", "cons", "crst", "dirs", "dump", "envi", "gtmk", "ruok", "stmk", "srvr", "srst",
    "stat", "wchc", "wchp", "wchs", "mntr", "isro", "hash",
  ]
}

extension StringProtocol {
  func trimmingWhitespace() -> String {
    var s = Substring(self)
    while let f = s.first, f == " " || f == "\t" || f == "\r" { s = s.dropFirst() }
    while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
    return String(s)
  }
}
