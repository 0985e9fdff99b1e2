import CLinuxShims
import DataTree
import Foundation
import ZooKeeperWire
import Glibc
import PeerWire
import Persistence
import RaftCore
import ServerCore
import Transport

/// Drives a `ServerNode` with real sockets, clock and disk. Everything here runs on the event
/// loop's thread except the two hand-offs: the fsync worker's durability reports and the
/// snapshot writer, which both come back through `loop.execute`.
final class NodeShell: ListenerHandler, ConnectionHandler {
  let loop: EventLoop
  let log: Log
  let durableLog: DurableLog
  var node: ServerNode
  var connections: [ClientID: Connection] = [:]
  /// The ticket of the persist work handed to the log and not yet durable.
  var persistTicket: DurabilityTicket?
  /// When the persist work in flight was handed to the log, and the durability figures.
  var persistStartedMs: Int64 = 0
  var fsyncCount: UInt64 = 0
  var fsyncTotalMs: Int64 = 0
  var fsyncMaxMs: Int64 = 0
  var durableTicket: DurabilityTicket = .zero
  var listener: Listener?
  var tickTimer: TimerID?
  var snapshotInProgress = false
  var admin: AdminEndpoint?
  /// Links to the other nodes (nil for a standalone node).
  var peers: PeerLinks?
  let onFatal: @Sendable (String) -> Void

  init(loop: EventLoop, log: Log, durableLog: DurableLog, node: ServerNode, onFatal: @escaping @Sendable (String) -> Void) {
    self.loop = loop
    self.log = log
    self.durableLog = durableLog
    self.node = node
    self.onFatal = onFatal
  }

  /// Opens the peer links of a cluster node: listens on `address`, dials the others. Loop thread.
  func startPeers(selfID: NodeID, clusterID: UInt64, address: SocketAddress, peers addresses: [NodeID: SocketAddress]) throws(TransportError) {
    let log = self.log
    let links = PeerLinks(
      loop: loop, selfID: selfID, clusterID: clusterID, listenAddress: address, peers: addresses,
      log: { line in log.info(line) },
      onMessage: { [unowned self] peer, message in self.received(message, from: peer) })
    links.onLinkUp = { [unowned self] peer in self.node.peerLinkUp(peer, nowMs: wallClockMs()) }
    try links.start()
    peers = links
  }

  /// A message from a peer; what it causes is carried out at the end of the loop turn.
  func received(_ message: PeerMessage, from peer: NodeID) {
    let now = wallClockMs()
    switch message {
    case .raft(let m): node.peerMessage(m, nowMs: now)
    case .forward(let forwarded): node.peerForwarded(from: forwarded.from, payload: forwarded.payload, nowMs: now)
    case .sessionActivity(let ids): node.peerSessionActivity(from: peer, sessions: ids.map { SessionID($0) }, nowMs: now)
    case .hello: break
    }
  }

  /// Starts listening and ticking. Loop thread.
  func start(clientAddress: SocketAddress, maxClientCnxns: Int, tickMs: Int64) throws(TransportError) {
    var options = ListenerOptions()
    options.connectionsPerHostMax = maxClientCnxns > 0 ? maxClientCnxns : nil
    listener = try loop.listen(on: clientAddress, options: options, handler: self)
    loop.addTurnEndHandler { [unowned self] in self.endOfTurn() }
    tickTimer = loop.scheduleRepeatingTimer(everyMs: tickMs) { [unowned self] in
      self.node.tick(nowMs: wallClockMs())
      self.perform()
    }
    _ = loop.scheduleRepeatingTimer(everyMs: 5000) { [unowned self] in self.refreshRuntimeMetrics() }
    refreshRuntimeMetrics()
    node.endOfTurn(nowMs: wallClockMs())
    perform()
  }

  /// Figures only the process knows, for `mntr` and `/metrics`.
  func refreshRuntimeMetrics() {
    var limit = rlimit()
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    let fds = (try? listDirectory("/proc/self/fd").count) ?? 0
    node.runtimeMetrics = [
      ("zk_open_file_descriptor_count", String(fds)),
      ("zk_max_file_descriptor_count", String(limit.rlim_cur)),
      ("grove_resident_bytes", String(residentBytes())),
      ("grove_log_durable_ticket", String(durableTicket.rawValue)),
      ("grove_fsyncs", String(fsyncCount)),
      ("grove_fsync_latency_avg_ms", fsyncCount == 0 ? "0" : String(Double(fsyncTotalMs) / Double(fsyncCount))),
      ("grove_fsync_latency_max_ms", String(fsyncMaxMs)),
    ]
  }

  var boundAddress: SocketAddress? { listener?.localAddress }

  func endOfTurn() {
    node.endOfTurn(nowMs: wallClockMs())
    perform()
  }

  /// Carries out what the node asked for, in order.
  func perform() {
    var undelivered: [[UInt8]] = []
    defer {
      // Handed back after the loop: the core may ask to forward them again at its next turn end.
      for payload in undelivered.reversed() { node.forwardUndelivered(payload: payload, nowMs: wallClockMs()) }
    }
    for action in node.takeActions() {
      switch action {
      case .send(let id, let bytes):
        _ = connections[id]?.write(bytes)
      case .close(let id):
        connections[id]?.close()
      case .pauseReading(let id):
        connections[id]?.pauseReading()
      case .resumeReading(let id):
        connections[id]?.resumeReading()
      case .sendPeer(let message):
        // A dropped message (link down or full) is Raft's to retry.
        _ = peers?.send(.raft(message), to: message.to)
      case .forward(let to, let payload):
        // Not queued (link down or full): the commands never left, so they wait for the next
        // flush (to this leader or the next). Queued ones count as handed over.
        let queued = peers?.send(.forward(ForwardedCommands(from: node.config.nodeID, payload: payload)), to: to) ?? false
        if !queued { undelivered.append(payload) }
      case .sessionActivity(let to, let sessions):
        _ = peers?.send(.sessionActivity(sessions.map(\.rawValue)), to: to)
      case .persist(let work):
        persist(work)
      case .saveSnapshot(let metadata, let tree):
        saveSnapshot(metadata, tree)
      case .log(let line):
        switch line.level {
        case .debug: log.debug(line.message)
        case .info: log.info(line.message)
        case .warn: log.warn(line.message)
        case .error: log.error(line.message)
        }
      }
    }
    log.setTerm(node.raftStatus.term.rawValue)
  }

  /// Hands Raft's work to the log (it only queues); the fsync worker reports when it is durable.
  func persist(_ work: PersistWork) {
    do {
      var ticket = durableTicket
      if let snapshot = work.snapshot { ticket = try durableLog.applySnapshot(snapshot) }
      if !work.entries.isEmpty { ticket = try durableLog.append(work.entries) }
      if let hardState = work.hardState { ticket = try durableLog.saveHardState(hardState) }
      persistTicket = ticket
      persistStartedMs = monotonicMs()
      if ticket <= durableTicket { durable(.success(durableTicket)) }
    } catch {
      onFatal("cannot write the log: \(error)")
    }
  }

  /// The fsync worker's report, delivered on the loop thread.
  func durable(_ result: Result<DurabilityTicket, PersistenceError>) {
    switch result {
    case .failure(let error):
      // After a failed fsync the kernel may have dropped dirty pages: only a restart, which
      // recovers from what is really on disk, is safe.
      onFatal("the log failed: \(error)")
    case .success(let ticket):
      if ticket > durableTicket { durableTicket = ticket }
      if let waiting = persistTicket, waiting <= durableTicket {
        persistTicket = nil
        let ms = monotonicMs() - persistStartedMs
        fsyncCount += 1
        fsyncTotalMs += ms
        fsyncMaxMs = max(fsyncMaxMs, ms)
        node.persisted(nowMs: wallClockMs())
        node.endOfTurn(nowMs: wallClockMs())
        perform()
      }
    }
  }

  /// Serializes the tree off the loop thread (the copy is a value), then hands the snapshot to
  /// the log, which compacts what it covers once durable.
  ///
  /// On a thread of its own at the lowest priority: serializing a large tree takes a core for
  /// a while, and requests should not queue behind it; the snapshot takes whatever CPU is left.
  func saveSnapshot(_ metadata: SnapshotMetadata, _ tree: DataTree) {
    guard !snapshotInProgress else { return }
    snapshotInProgress = true
    let durableLog = self.durableLog
    let log = self.log
    let loop = self.loop
    let shell = LoopBox(self)
    let thread = Thread {
      _ = grove_set_thread_nice(19)
      let started = monotonicMs()
      let data = tree.snapshot()
      do {
        _ = try durableLog.saveSnapshot(Snapshot(metadata: metadata, data: data))
        log.info("snapshot saved", ["index": metadata.index.description, "bytes": String(data.count), "ms": String(monotonicMs() - started)])
      } catch {
        log.error("snapshot at \(metadata.index) failed: \(error)")
      }
      _ = loop.execute { shell.value.snapshotInProgress = false }
    }
    thread.name = "grove-snapshot"
    thread.start()
  }

  /// Serves `/metrics` on the admin port. Loop thread.
  func startAdmin(on address: SocketAddress) throws(TransportError) {
    let endpoint = AdminEndpoint(loop: loop) { [unowned self] in self.node.metrics() }
    try endpoint.start(on: address)
    admin = endpoint
  }

  /// The first step of a clean stop on a leader: ask Raft to hand over. Loop thread.
  func handOverLeadership() -> Bool {
    let started = node.transferLeadership()
    perform()
    return started
  }

  /// Stops serving: no new connections, every client closed. Loop thread.
  func stop() {
    admin?.stop()
    peers?.stop()
    listener?.close()
    if let tickTimer { _ = loop.cancelTimer(tickTimer) }
    for connection in connections.values { connection.close() }
  }

  // MARK: ListenerHandler

  func listener(_ listener: Listener, handlerFor peer: SocketAddress) -> any ConnectionHandler { self }

  func listener(_ listener: Listener, refused peer: SocketAddress, reason: RefusalReason) {
    log.warn("refused a connection", ["peer": peer.description, "reason": "\(reason)"])
  }

  func listener(_ listener: Listener, acceptFailed error: TransportError) {
    log.error("accept failed: \(error)")
  }

  // MARK: ConnectionHandler

  func connectionActive(_ connection: Connection) {
    let id = ClientID(connection.id.rawValue)
    connections[id] = connection
    node.clientConnected(id, address: connection.peerAddress.host, port: connection.peerAddress.port, nowMs: wallClockMs())
  }

  func connection(_ connection: Connection, received bytes: [UInt8]) {
    node.clientBytes(ClientID(connection.id.rawValue), bytes, nowMs: wallClockMs())
  }

  func connectionClosed(_ connection: Connection, reason: CloseReason) {
    let id = ClientID(connection.id.rawValue)
    guard connections.removeValue(forKey: id) != nil else { return }
    node.clientClosed(id, nowMs: wallClockMs())
  }
}

/// The leader's wall clock in ms: stamped into commands as ctime/mtime and session deadlines.
func wallClockMs() -> Int64 {
  var ts = timespec()
  clock_gettime(CLOCK_REALTIME, &ts)
  return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}

func monotonicMs() -> Int64 {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}

/// Names in a directory (no "." or "..").
func listDirectory(_ path: String) throws -> [String] {
  guard let dir = opendir(path) else { throw StartupError("cannot list \(path)") }
  defer { closedir(dir) }
  var names: [String] = []
  while let entry = readdir(dir) {
    let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
      String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }
    if name != "." && name != ".." { names.append(name) }
  }
  return names
}

/// The process's resident set size, from /proc/self/statm.
func residentBytes() -> Int {
  guard let text = DataDirectory.readSmallFile("/proc/self/statm") else { return 0 }
  let fields = text.split(separator: " ")
  guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
  return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}
