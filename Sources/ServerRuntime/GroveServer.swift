import DataTree
import Glibc
import Persistence
import RaftCore
import ServerCore
import Synchronization
import Transport

/// A running Grove server: configuration read, data recovered, sockets open. `run` blocks until
/// SIGTERM or SIGINT, then stops cleanly.
public final class GroveServer: Sendable {
  public let config: ServerConfig
  public let nodeID: NodeID
  let log: Log
  let loop: EventLoop
  let durableLog: DurableLog
  let syncWorker: SyncWorker
  /// The loop-confined shell, reached only through `loop.execute`/`runAndWait`.
  let shell: LoopBox<NodeShell>
  let finished = Mutex<String?>(nil)

  /// Reads `configPath` (zoo.cfg format) and prepares the node; throws with a message naming
  /// what is wrong (a bad key, a damaged log, a port in use).
  public static func start(configPath: String, logLevel: LogLevel = .info) throws -> GroveServer {
    guard let text = DataDirectory.readSmallFile(configPath, limit: 1 << 20) else {
      throw StartupError("cannot read \(configPath): \(String(cString: strerror(errno)))")
    }
    let parsed = try ConfigParser.parse(text, file: configPath)
    return try GroveServer(config: parsed.config, ignoredKeys: parsed.ignored.map(\.key), logLevel: logLevel)
  }

  init(config: ServerConfig, ignoredKeys: [String], logLevel: LogLevel) throws {
    self.config = config
    let nodeID = try DataDirectory.nodeID(config)
    self.nodeID = nodeID
    let log = Log(node: nodeID.rawValue, minimum: logLevel)
    self.log = log
    if !ignoredKeys.isEmpty {
      log.info("config keys accepted and not used by Grove", ["keys": ignoredKeys.joined(separator: ",")])
    }
    let membership = try ClusterLayout(config, nodeID: nodeID)
    let clientPort = membership.clientPort
    let opened = try DataDirectory.open(
      config, nodeID: nodeID, voters: membership.voters, learners: membership.learners, log: log)
    durableLog = opened.log

    var nodeConfig = ServerNodeConfig(nodeID: nodeID)
    nodeConfig.tickMs = Int64(config.raftTickMs)
    nodeConfig.electionTicks = config.electionTicks
    nodeConfig.sessionTimeoutMsMin = Int32(clamping: config.minSessionTimeoutMsEffective)
    nodeConfig.sessionTimeoutMsMax = Int32(clamping: config.maxSessionTimeoutMsEffective)
    nodeConfig.frameBytesMax = config.juteMaxBufferBytes
    nodeConfig.extendedTypesEnabled = config.extendedTypesEnabled
    nodeConfig.fourLetterWords = config.fourLetterWords
    nodeConfig.linearizableReads = config.linearizableReads
    nodeConfig.reapIntervalMs = Int64(config.reapIntervalMs)
    nodeConfig.secret = GroveServer.randomSecret()
    nodeConfig.configLines = GroveServer.configLines(config, nodeID: nodeID, clientPort: clientPort)
    nodeConfig.environmentLines = GroveServer.environmentLines(config)

    var raftConfig = RaftConfig(id: nodeID, randomSeed: nodeConfig.secret)
    raftConfig.electionTicks = config.electionTicks
    raftConfig.heartbeatTicks = 1
    raftConfig.applied = opened.applied
    var node = try ServerNode(
      config: nodeConfig, raftConfig: raftConfig, storage: opened.log, tree: opened.tree, nowMs: wallClockMs())
    node.snapshotTransactions = UInt64(config.snapshotTransactions)
    node.snapshotBytes = config.snapshotBytes

    let loop = try EventLoop(name: "grove-loop")
    self.loop = loop
    let fatal: @Sendable (String) -> Void = { message in
      log.error("stopping: \(message)")
      exit(70)
    }
    let shellValue = NodeShell(loop: loop, log: log, durableLog: opened.log, node: node, onFatal: fatal)
    shell = LoopBox(shellValue)
    let shell = self.shell
    syncWorker = SyncWorker(log: opened.log) { result in
      _ = loop.execute { shell.value.durable(result) }
    }
    syncWorker.start()
    let address = try SocketAddress(host: membership.clientHost, port: clientPort)
    if let peerAddress = membership.peerAddress {
      let peers = membership.peers
      let clusterID = DataDirectory.clusterNumber(config.clusterID)
      try loop.runAndWait { () throws -> Void in
        try shell.value.startPeers(selfID: nodeID, clusterID: clusterID, address: peerAddress, peers: peers)
      }
    }
    let maxClientCnxns = config.maxClientCnxns
    let tickMs = Int64(config.raftTickMs)
    try loop.runAndWait { () throws -> Void in
      try shell.value.start(clientAddress: address, maxClientCnxns: maxClientCnxns, tickMs: tickMs)
    }
    if let adminPort = config.adminPort {
      let adminAddress = try SocketAddress(host: membership.clientHost, port: adminPort)
      try loop.runAndWait { () throws -> Void in try shell.value.startAdmin(on: adminAddress) }
    }
    let bound = try loop.runAndWait { shell.value.boundAddress?.description ?? "?" }
    log.info(
      "serving", ["clients": bound, "dataDir": config.dataDir, "znodes": String(opened.tree.nodeCount), "applied": opened.applied.description])
  }

  /// Stops serving and releases the port and the log. Safe to call from any thread, once.
  /// A leader first hands leadership to a caught-up follower (bounded wait), so a rolling
  /// restart costs about one round trip instead of an election timeout.
  public func stop() {
    let shell = self.shell
    let transferring = (try? loop.runAndWait { shell.value.handOverLeadership() }) ?? false
    if transferring {
      for _ in 0..<60 {
        let stillLeader = (try? loop.runAndWait { shell.value.node.isLeader }) ?? false
        if !stillLeader { break }
        usleep(50_000)
      }
    }
    _ = try? loop.runAndWait { shell.value.stop() }
    // Let the closes flush before the loop goes.
    usleep(50_000)
    loop.shutdownAndWait()
    syncWorker.stop()
    log.info("stopped")
  }

  /// Blocks the calling thread until SIGTERM or SIGINT, then stops. Call `blockTerminationSignals`
  /// first, before any thread starts, so only this thread receives them.
  public func runUntilSignalled() {
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGTERM)
    sigaddset(&set, SIGINT)
    var signal: Int32 = 0
    sigwait(&set, &signal)
    log.info("received signal \(signal), stopping")
    stop()
  }

  /// Blocks SIGTERM/SIGINT in the calling thread and every thread it starts afterwards, so that
  /// `runUntilSignalled` can take them with sigwait. SIGPIPE is ignored.
  public static func blockTerminationSignals() {
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGTERM)
    sigaddset(&set, SIGINT)
    pthread_sigmask(SIG_BLOCK, &set, nil)
    signal(SIGPIPE, SIG_IGN)
  }

  static func randomSecret() -> UInt64 {
    var value: UInt64 = 0
    let fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
    if fd >= 0 {
      _ = withUnsafeMutableBytes(of: &value) { read(fd, $0.baseAddress, 8) }
      close(fd)
    }
    return value != 0 ? value : UInt64(bitPattern: wallClockMs()) &* 0x9E37_79B9_7F4A_7C15
  }

  static func configLines(_ config: ServerConfig, nodeID: NodeID, clientPort: UInt16) -> [(String, String)] {
    [
      ("clientPort", String(clientPort)),
      ("clientPortAddress", config.clientPortAddress),
      ("dataDir", config.dataDir),
      ("dataLogDir", DataDirectory.logDirectory(config)),
      ("tickTime", String(config.tickTimeMs)),
      ("maxClientCnxns", String(config.maxClientCnxns)),
      ("minSessionTimeout", String(config.minSessionTimeoutMsEffective)),
      ("maxSessionTimeout", String(config.maxSessionTimeoutMsEffective)),
      ("serverId", nodeID.description),
      ("jute.maxbuffer", String(config.juteMaxBufferBytes)),
      ("grove.raftTickMs", String(config.raftTickMs)),
      ("grove.electionTicks", String(config.electionTicks)),
      ("grove.snapshotTransactions", String(config.snapshotTransactions)),
      ("grove.snapshotWriteMBps", String(config.snapshotWriteMBps)),
      ("grove.linearizableReads", String(config.linearizableReads)),
    ]
  }

  static func environmentLines(_ config: ServerConfig) -> [(String, String)] {
    var host = [CChar](repeating: 0, count: 256)
    gethostname(&host, host.count)
    var uts = utsname()
    uname(&uts)
    func field<T>(_ value: T) -> String {
      withUnsafeBytes(of: value) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
    }
    return [
      ("zookeeper.version", "Grove 0.1 (ZooKeeper 3.8 protocol)"),
      ("host.name", String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)),
      ("os.name", field(uts.sysname)),
      ("os.arch", field(uts.machine)),
      ("os.version", field(uts.release)),
      ("user.dir", currentDirectory()),
      ("grove.pid", String(getpid())),
    ]
  }

  static func currentDirectory() -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    guard getcwd(&buffer, buffer.count) != nil else { return "?" }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}

/// Holds a loop-confined value so it can be named from any thread and used only on the loop.
final class LoopBox<Value>: @unchecked Sendable {
  // Safe because every access to `value` happens inside a closure run by the one event loop
  // thread (`loop.execute` / `runAndWait`); no other thread ever reads or writes it.
  let value: Value
  init(_ value: Value) { self.value = value }
}
