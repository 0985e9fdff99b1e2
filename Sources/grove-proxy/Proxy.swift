import Transport

/// What a proxy is told to do at start.
struct ProxyConfig: Sendable {
  /// Where clients connect (port 0: an ephemeral port).
  var listenAddress: SocketAddress
  /// Where each accepted connection is forwarded.
  var targetAddress: SocketAddress
  /// The source address of the connections to the target (port 0), when set: for a peer link,
  /// the dialing node's own host, so the target sees the same peer address as without the proxy.
  var sourceHost: SocketAddress?
  /// Where the control channel listens (loopback TCP; port 0: an ephemeral port).
  var controlAddress: SocketAddress
  /// Seeds the generator behind `drop`, so a run can be replayed.
  var seed: UInt64 = 0x6772_6F76_6570_7278
}

/// Counters reported by `status`.
struct ProxyCounters: Sendable {
  var accepted: UInt64 = 0
  var refused: UInt64 = 0
  var droppedConnections: UInt64 = 0
  var bytesOut: UInt64 = 0
  var bytesIn: UInt64 = 0
  var discardedOut: UInt64 = 0
  var discardedIn: UInt64 = 0

  mutating func add(bytes: Int, direction: Direction) {
    if direction == .out { bytesOut += UInt64(bytes) } else { bytesIn += UInt64(bytes) }
  }

  mutating func addDiscarded(bytes: Int, direction: Direction) {
    if direction == .out { discardedOut += UInt64(bytes) } else { discardedIn += UInt64(bytes) }
  }
}

/// A fault-injecting TCP proxy: forwards every connection accepted on its listen address to the
/// target, both ways, and applies `faults` as the control channel sets them.
///
/// Loop-confined: create it and call everything on `loop`'s thread.
///
/// Back-pressure: a direction stops reading its source while its destination's write queue is past
/// its high watermark or while more than `heldBytesMax` bytes are held by a delay; TCP flow control
/// then slows the sender. Memory per pipe is therefore bounded by the two write-queue caps plus
/// twice `heldBytesMax` (plus one read chunk).
final class Proxy: ListenerHandler {
  let loop: EventLoop
  let config: ProxyConfig
  private(set) var faults = ProxyFaults()
  var counters = ProxyCounters()
  /// Above this many delayed bytes in one direction of a pipe, its source stops being read.
  let heldBytesMax = 1 << 20
  private var pipes: [UInt64: Pipe] = [:]
  private var nextSerial: UInt64 = 1
  private var random: SplitMix64
  private(set) var listener: Listener?
  private(set) var controlListener: Listener?

  init(loop: EventLoop, config: ProxyConfig) {
    loop.preconditionInEventLoop("Proxy.init")
    self.loop = loop
    self.config = config
    self.random = SplitMix64(seed: config.seed)
  }

  /// Listens on the proxy and control addresses.
  /// - Throws: `TransportError` when either cannot be bound.
  func start() throws(TransportError) {
    loop.preconditionInEventLoop("Proxy.start")
    listener = try loop.listen(on: config.listenAddress, handler: self)
    do {
      controlListener = try loop.listen(on: config.controlAddress, handler: ControlServer(proxy: self))
    } catch {
      listener?.close()
      throw error
    }
  }

  /// Where the proxy listens (with the port the kernel chose).
  var listenAddress: SocketAddress { listener?.localAddress ?? config.listenAddress }
  /// Where the control channel listens (with the port the kernel chose).
  var controlAddress: SocketAddress { controlListener?.localAddress ?? config.controlAddress }

  /// Open pipes.
  var pipeCount: Int { pipes.count }

  /// A uniform value in [0, 1) from the seeded generator.
  func nextUnitRandom() -> Double {
    Double(random.next() >> 11) * 0x1.0p-53
  }

  // MARK: Control

  /// Runs one control line and returns its one-line answer: `ok <status>` or `error: <why>`.
  func execute(line: String) -> String {
    do {
      let command = try ControlCommand.parse(line)
      apply(command)
      return "ok \(statusLine())"
    } catch {
      return "error: \(error)"
    }
  }

  /// Changes the faults and acts on existing pipes: `cut` resets them all; `heal` resets those
  /// that lost bytes to a one-way cut and releases what delays held.
  func apply(_ command: ControlCommand) {
    loop.preconditionInEventLoop("Proxy.apply")
    faults.apply(command)
    switch command {
    case .cut:
      for pipe in sortedPipes() { pipe.abort() }
    case .heal:
      for pipe in sortedPipes() {
        if pipe.lostBytes { pipe.abort() } else { for direction in Direction.allCases { pipe.release(direction) } }
      }
    default:
      break
    }
  }

  /// One line of `key=value` pairs: addresses, faults and counters.
  func statusLine() -> String {
    func describe(_ direction: Direction) -> String {
      let f = faults[direction]
      return
        "\(direction.rawValue)=\(f.isCut ? "cut" : "open") delay-\(direction.rawValue)-ms=\(f.delayMs) drop-\(direction.rawValue)=\(f.dropProbability)"
    }
    let source = config.sourceHost.map { $0.host } ?? "-"
    return [
      "listen=\(listenAddress)", "target=\(config.targetAddress)", "source=\(source)",
      "state=\(faults.isCut ? "cut" : "open")", describe(.out), describe(.in),
      "connections=\(pipes.count)", "accepted=\(counters.accepted)", "refused=\(counters.refused)",
      "dropped-connections=\(counters.droppedConnections)",
      "bytes-out=\(counters.bytesOut)", "bytes-in=\(counters.bytesIn)",
      "discarded-out=\(counters.discardedOut)", "discarded-in=\(counters.discardedIn)",
    ].joined(separator: " ")
  }

  private func sortedPipes() -> [Pipe] { pipes.keys.sorted().map { pipes[$0]! } }

  // MARK: Pipes

  func listener(_ listener: Listener, shouldAccept peer: SocketAddress) -> Bool { !faults.isCut }

  func listener(_ listener: Listener, refused peer: SocketAddress, reason: RefusalReason) {
    counters.refused += 1
  }

  func listener(_ listener: Listener, handlerFor peer: SocketAddress) -> any ConnectionHandler {
    let pipe = Pipe(proxy: self, serial: nextSerial)
    nextSerial += 1
    pipes[pipe.serial] = pipe
    counters.accepted += 1
    return PipeEnd(pipe: pipe, direction: .out)
  }

  /// The client side is connected: dial the target (from the source host when set).
  func clientActive(_ pipe: Pipe, _ connection: Connection) {
    pipe.client = connection
    do {
      pipe.target = try loop.connect(
        to: config.targetAddress, from: config.sourceHost, timeoutMs: 5_000,
        handler: PipeEnd(pipe: pipe, direction: .in))
    } catch {
      connection.abort()
    }
  }

  func pipeFinished(_ pipe: Pipe) {
    pipes[pipe.serial] = nil
  }
}

/// SplitMix64: a small seeded generator, so `drop` runs can be replayed.
struct SplitMix64: RandomNumberGenerator {
  private var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
