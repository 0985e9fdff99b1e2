import Transport

/// One proxied connection: the accepted client-side connection and the proxy's own connection to
/// the target, with a `Flow` per direction. Loop-confined, as everything of `Transport`.
final class Pipe {
  unowned let proxy: Proxy
  /// Names the pipe in its proxy's table; never reused.
  let serial: UInt64
  /// The accepted connection (source of `out`); nil once closed.
  var client: Connection?
  /// The proxy's connection to the target (source of `in`); nil before dialing and once closed.
  var target: Connection?
  var flows: [Direction: Flow] = [.out: Flow(), .in: Flow()]
  /// Both connections closed; the pipe has left its proxy.
  var isFinished = false

  /// Bytes of one direction held by a delay, and what a one-way cut discarded.
  struct Flow {
    var held: [(releaseNs: UInt64, bytes: [UInt8])] = []
    var heldHead = 0
    var heldBytes = 0
    var lastReleaseNs: UInt64 = 0
    var timer: TimerID?
    /// Bytes discarded by a one-way cut: the stream lost bytes, so `heal` closes the pipe.
    var discardedBytes: UInt64 = 0
    /// The source closed: close the destination once the held bytes are out.
    var closeWhenDrained = false

    var isHolding: Bool { heldHead < held.count }
  }

  init(proxy: Proxy, serial: UInt64) {
    self.proxy = proxy
    self.serial = serial
  }

  /// The connection `direction`'s bytes are read from.
  func source(of direction: Direction) -> Connection? { direction == .out ? client : target }
  /// The connection `direction`'s bytes are written to.
  func destination(of direction: Direction) -> Connection? { direction == .out ? target : client }

  /// Whether some bytes were discarded (by a one-way cut) in either direction.
  var lostBytes: Bool { flows.values.contains { $0.discardedBytes > 0 } }

  /// Bytes read from `direction`'s source: discard, drop the pipe, hold, or forward them.
  func received(_ bytes: [UInt8], direction: Direction) {
    guard !isFinished else { return }
    let faults = proxy.faults[direction]
    proxy.counters.add(bytes: bytes.count, direction: direction)
    if faults.isCut {
      flows[direction]!.discardedBytes += UInt64(bytes.count)
      proxy.counters.addDiscarded(bytes: bytes.count, direction: direction)
      return
    }
    if faults.dropProbability > 0 && proxy.nextUnitRandom() < faults.dropProbability {
      proxy.counters.droppedConnections += 1
      abort()
      return
    }
    if faults.delayMs > 0 || flows[direction]!.isHolding {
      hold(bytes, direction: direction, delayMs: faults.delayMs)
      return
    }
    guard let destination = destination(of: direction) else { return }
    destination.write(bytes)
    if !destination.isWritable { source(of: direction)?.pauseReading() }
  }

  /// Queues bytes for release `delayMs` from now (never before bytes queued earlier).
  private func hold(_ bytes: [UInt8], direction: Direction, delayMs: Int64) {
    var flow = flows[direction]!
    let releaseNs = max(EventLoop.monotonicNowNs() + UInt64(delayMs) * 1_000_000, flow.lastReleaseNs)
    flow.lastReleaseNs = releaseNs
    flow.held.append((releaseNs, bytes))
    flow.heldBytes += bytes.count
    flows[direction] = flow
    if flow.heldBytes >= proxy.heldBytesMax { source(of: direction)?.pauseReading() }
    if flow.timer == nil { armTimer(direction) }
  }

  /// Schedules the release of `direction`'s first held chunk.
  private func armTimer(_ direction: Direction) {
    guard let flow = flows[direction], flow.isHolding else { return }
    let nowNs = EventLoop.monotonicNowNs()
    let releaseNs = flow.held[flow.heldHead].releaseNs
    let waitMs = releaseNs > nowNs ? Int64((releaseNs - nowNs + 999_999) / 1_000_000) : 0
    flows[direction]!.timer = proxy.loop.scheduleTimer(afterMs: waitMs) { [weak self] in
      guard let self else { return }
      self.flows[direction]!.timer = nil
      self.release(direction)
    }
  }

  /// Forwards every held chunk that is due, as far as the destination accepts; re-arms the timer.
  func release(_ direction: Direction) {
    guard !isFinished, let destination = destination(of: direction) else { return }
    var flow = flows[direction]!
    let nowNs = EventLoop.monotonicNowNs()
    while flow.isHolding && flow.held[flow.heldHead].releaseNs <= nowNs && destination.isWritable {
      let bytes = flow.held[flow.heldHead].bytes
      flow.held[flow.heldHead].bytes = []
      flow.heldHead += 1
      flow.heldBytes -= bytes.count
      destination.write(bytes)
    }
    if !flow.isHolding {
      flow.held.removeAll(keepingCapacity: true)
      flow.heldHead = 0
    } else if flow.heldHead > 64 && flow.heldHead * 2 > flow.held.count {
      flow.held.removeFirst(flow.heldHead)
      flow.heldHead = 0
    }
    flows[direction] = flow
    if !flow.isHolding && flow.closeWhenDrained {
      destination.close()
      return
    }
    if flow.heldBytes < proxy.heldBytesMax && destination.isWritable {
      source(of: direction)?.resumeReading()
    }
    if flow.timer == nil && destination.isWritable { armTimer(direction) }
  }

  /// The destination of `direction` drained below its low watermark (or filled up).
  func writabilityChanged(destinationOf direction: Direction) {
    guard !isFinished, let destination = destination(of: direction) else { return }
    if destination.isWritable {
      if flows[direction]!.isHolding {
        release(direction)
      } else {
        source(of: direction)?.resumeReading()
      }
    }
  }

  /// The source of `direction` closed: close its destination once held bytes are forwarded
  /// (gracefully after a clean end of stream, at once with a reset otherwise).
  func sourceClosed(direction: Direction, reason: CloseReason) {
    if direction == .out { client = nil } else { target = nil }
    defer { finishIfBothClosed() }
    guard let destination = destination(of: direction) else { return }
    guard reason == .peerClosed else {
      destination.abort()
      return
    }
    if flows[direction]!.isHolding {
      flows[direction]!.closeWhenDrained = true
    } else {
      destination.close()
    }
  }

  /// Closes both connections at once with a reset (cut, drop, or heal of a lossy pipe).
  func abort() {
    client?.abort()
    target?.abort()
  }

  /// Once both connections are closed: cancel timers, drop held bytes, leave the proxy.
  private func finishIfBothClosed() {
    guard client == nil && target == nil, !isFinished else { return }
    isFinished = true
    for direction in Direction.allCases {
      if let timer = flows[direction]!.timer { proxy.loop.cancelTimer(timer) }
      flows[direction] = Flow()
    }
    proxy.pipeFinished(self)
  }
}

/// The handler of one of a pipe's two connections.
final class PipeEnd: ConnectionHandler {
  let pipe: Pipe
  /// The direction whose source this connection is.
  let direction: Direction

  init(pipe: Pipe, direction: Direction) {
    self.pipe = pipe
    self.direction = direction
  }

  func connectionActive(_ connection: Connection) {
    if direction == .out { pipe.proxy.clientActive(pipe, connection) }
  }

  func connection(_ connection: Connection, received bytes: [UInt8]) {
    pipe.received(bytes, direction: direction)
  }

  func connectionWritabilityChanged(_ connection: Connection) {
    // This connection is the destination of the other direction.
    pipe.writabilityChanged(destinationOf: direction == .out ? .in : .out)
  }

  func connectionClosed(_ connection: Connection, reason: CloseReason) {
    pipe.sourceClosed(direction: direction, reason: reason)
  }
}
