import Dispatch
import Glibc
import Synchronization
import Testing

@testable import Transport

@Suite("Event loop: tasks, timers, turns, shutdown")
struct EventLoopTests {
  @Test("execute from another thread wakes an idle loop and runs the task on the loop thread")
  func executeWakesTheLoop() throws {
    let loop = try EventLoop(name: "execute")
    defer { loop.shutdownAndWait() }
    let ran = Recorder<Bool>()
    #expect(!loop.inEventLoop)
    // The loop has no timers and no sockets: only the eventfd can wake it.
    #expect(loop.execute { ran.append(loop.inEventLoop) })
    #expect(waitUntil { ran.count == 1 })
    #expect(ran.snapshot == [true])
  }

  @Test("tasks run in the order they were handed in")
  func tasksRunInOrder() throws {
    let loop = try EventLoop(name: "order")
    defer { loop.shutdownAndWait() }
    let order = Recorder<Int>()
    for index in 0..<1000 { loop.execute { order.append(index) } }
    #expect(waitUntil { order.count == 1000 })
    #expect(order.snapshot == Array(0..<1000))
  }

  @Test("tasks handed in concurrently by several threads all run exactly once")
  func concurrentExecute() throws {
    let loop = try EventLoop(name: "concurrent")
    defer { loop.shutdownAndWait() }
    let ran = Recorder<Int>()
    let threads = 4
    let perThread = 2_000
    DispatchQueue.concurrentPerform(iterations: threads) { thread in
      for index in 0..<perThread { loop.execute { ran.append(thread * perThread + index) } }
    }
    #expect(waitUntil { ran.count == threads * perThread })
    #expect(ran.snapshot.sorted() == Array(0..<(threads * perThread)))
  }

  @Test("touching loop-confined state off the loop thread traps")
  func confinementIsChecked() async {
    // A Swift precondition failure is a trap: SIGILL (ud2) on x86_64, SIGTRAP (brk) on arm64.
    #if arch(x86_64)
      let trap = SIGILL
    #else
      let trap = SIGTRAP
    #endif
    await #expect(processExitsWith: .signal(trap)) {
      let loop = try EventLoop(name: "confined")
      _ = loop.connectionCount
    }
  }

  @Test("runAndWait and submit return the loop's result to the caller")
  func runAndWaitReturnsResult() async throws {
    let loop = try EventLoop(name: "submit")
    defer { loop.shutdownAndWait() }
    let blocking = try loop.runAndWait { loop.inEventLoop ? 42 : 0 }
    #expect(blocking == 42)
    let awaited = try await loop.submit { loop.inEventLoop ? "loop" : "other" }
    #expect(awaited == "loop")
  }

  @Test("timers fire in deadline order, equal deadlines in scheduling order, on the loop thread")
  func timersFireInOrder() throws {
    let loop = try EventLoop(name: "timers")
    defer { loop.shutdownAndWait() }
    let fired = Recorder<String>()
    try loop.runAndWait {
      loop.scheduleTimer(afterMs: 40) { fired.append("40") }
      loop.scheduleTimer(afterMs: 10) { fired.append("10a") }
      loop.scheduleTimer(afterMs: 25) { fired.append("25") }
      loop.scheduleTimer(afterMs: 10) { fired.append("10b") }
      loop.scheduleTimer(afterMs: 0) { fired.append(loop.inEventLoop ? "0" : "off-loop") }
    }
    #expect(waitUntil { fired.count == 5 })
    #expect(fired.snapshot == ["0", "10a", "10b", "25", "40"])
  }

  @Test("a timer cancelled by an earlier timer's callback does not fire")
  func cancelFromEarlierTimer() throws {
    let loop = try EventLoop(name: "cancel-same-instant")
    defer { loop.shutdownAndWait() }
    let fired = Recorder<String>()
    try loop.runAndWait {
      // Scheduled back to back with the same delay: due in the same turn, first first.
      var victim: TimerID?
      loop.scheduleTimer(afterMs: 5) {
        fired.append("first")
        fired.append(loop.cancelTimer(victim!) ? "cancelled" : "too late")
      }
      victim = loop.scheduleTimer(afterMs: 5) { fired.append("victim") }
      loop.scheduleTimer(afterMs: 20) { fired.append("sentinel") }
    }
    #expect(waitUntil { fired.snapshot.last == "sentinel" })
    #expect(fired.snapshot == ["first", "cancelled", "sentinel"])
  }

  @Test("a repeating timer fires at its period until cancelled, then never again")
  func repeatingTimer() throws {
    let loop = try EventLoop(name: "repeating")
    defer { loop.shutdownAndWait() }
    let ticks = Recorder<UInt64>()
    let startNs = EventLoop.monotonicNowNs()
    try loop.runAndWait {
      var id: TimerID?
      id = loop.scheduleRepeatingTimer(everyMs: 5) {
        ticks.append(EventLoop.monotonicNowNs())
        if ticks.count == 5 { loop.cancelTimer(id!) }
      }
    }
    #expect(waitUntil { ticks.count == 5 })
    // A probe after several more periods shows it stopped.
    try loop.runAndWait { loop.scheduleTimer(afterMs: 30) { ticks.append(0) } }
    #expect(waitUntil { ticks.count == 6 })
    let times = ticks.snapshot
    #expect(times.last == 0)
    // The n-th firing is at least n periods after scheduling.
    for (index, time) in times.dropLast().enumerated() {
      #expect(time - startNs >= UInt64(index + 1) * 5_000_000)
    }
    #expect(try loop.runAndWait { loop.timerCount } == 0)
  }

  @Test("a timer fires no earlier than its delay on the monotonic clock")
  func timerNotEarly() throws {
    let loop = try EventLoop(name: "timer-delay")
    defer { loop.shutdownAndWait() }
    let elapsed = Recorder<UInt64>()
    try loop.runAndWait {
      let startNs = EventLoop.monotonicNowNs()
      loop.scheduleTimer(afterMs: 30) { elapsed.append(EventLoop.monotonicNowNs() - startNs) }
    }
    #expect(waitUntil { elapsed.count == 1 })
    #expect(elapsed.snapshot[0] >= 30_000_000)
  }

  @Test("a cancelled timer never fires; cancelling twice or after firing reports false")
  func cancelledTimerDoesNotFire() throws {
    let loop = try EventLoop(name: "cancel")
    defer { loop.shutdownAndWait() }
    let fired = Recorder<String>()
    let cancelResults = try loop.runAndWait {
      let doomed = loop.scheduleTimer(afterMs: 10) { fired.append("cancelled") }
      loop.scheduleTimer(afterMs: 30) { fired.append("sentinel") }
      return [loop.cancelTimer(doomed), loop.cancelTimer(doomed)]
    }
    #expect(cancelResults == [true, false])
    #expect(waitUntil { fired.count == 1 })
    #expect(fired.snapshot == ["sentinel"])
    #expect(try loop.runAndWait { loop.timerCount } == 0)
  }

  @Test("of two timers due at the same instant, cancelling the second after popping the first prevents it")
  func timerQueueCancelBetweenPops() {
    var queue = TimerQueue()
    let first = queue.schedule(atNs: 100) {}
    let second = queue.schedule(atNs: 100) {}
    let third = queue.schedule(atNs: 100, periodNs: 50) {}
    let firstPopped = queue.popDue(nowNs: 100) != nil
    let firstCancelled = queue.cancel(first)
    let secondCancelled = queue.cancel(second)
    let repeatingPopped = queue.popDue(nowNs: 100) != nil  // re-armed for 150
    let nothingElseDue = queue.popDue(nowNs: 100) == nil
    let rearmedDeadline = queue.nextDeadlineNs()
    let thirdCancelled = queue.cancel(third)
    let emptyDeadline = queue.nextDeadlineNs()
    #expect(firstPopped && !firstCancelled && secondCancelled)
    #expect(repeatingPopped && nothingElseDue)
    #expect(rearmedDeadline == 150)
    #expect(thirdCancelled && emptyDeadline == nil)
    queue.checkInvariants()
  }

  @Test("the timer queue stays ordered and bounded under heavy cancel-and-reschedule")
  func timerQueueInvariants() {
    var queue = TimerQueue()
    var random = SeededRandom(seed: 7)
    var live: [TimerID] = []
    for _ in 0..<5_000 {
      if !live.isEmpty && Bool.random(using: &random) {
        let victim = live.remove(at: Int.random(in: 0..<live.count, using: &random))
        let cancelled = queue.cancel(victim)
        #expect(cancelled)
      } else {
        live.append(queue.schedule(atNs: UInt64.random(in: 0..<1_000_000, using: &random)) {})
      }
    }
    queue.checkInvariants()
    #expect(queue.count == live.count)
    var firedCount = 0
    while queue.popDue(nowNs: .max) != nil { firedCount += 1 }
    #expect(firedCount == live.count)
    #expect(queue.nextDeadlineNs() == nil)
  }

  @Test("the turn-end handler runs after the turn's events, before the turn's writes are flushed")
  func turnEndHandlerRunsBeforeFlush() throws {
    let server = try EventLoop(name: "turn-end")
    defer { server.shutdownAndWait() }
    let queuedAtTurnEnd = Recorder<Int>()
    final class Replier: ListenerHandler, ConnectionHandler {
      var written: [Connection] = []
      func listener(_ listener: Listener, handlerFor peer: SocketAddress) -> any ConnectionHandler { self }
      func connection(_ connection: Connection, received bytes: [UInt8]) {
        connection.write(bytes)
        written.append(connection)
      }
      func connectionClosed(_ connection: Connection, reason: CloseReason) {}
    }
    let address = try server.runAndWait {
      let replier = Replier()
      server.addTurnEndHandler {
        // Writes made while handling this turn's reads are still queued here: one flush per turn.
        for connection in replier.written { queuedAtTurnEnd.append(connection.queuedBytes) }
        replier.written.removeAll()
      }
      return try server.listen(on: .loopback(port: 0), handler: replier).localAddress
    }
    let client = try BlockingClient(connectTo: address)
    client.send(Array("ping".utf8))
    #expect(client.receive(count: 4) == Array("ping".utf8))
    #expect(queuedAtTurnEnd.snapshot.first == 4)
  }

  @Test("shutdown closes every connection and listener, drops timers, refuses tasks, and the thread exits")
  func shutdownClosesEverything() throws {
    let closes = Recorder<CloseReason>()
    let (loop, address) = try startEchoServer(closes: closes)
    let clients = try (0..<3).map { _ in try BlockingClient(connectTo: address) }
    for client in clients { client.send([1]) }
    for client in clients { #expect(client.receive(count: 1) == [1]) }
    let fired = Recorder<Bool>()
    try loop.runAndWait { loop.scheduleTimer(afterMs: 60_000) { fired.append(true) } }
    loop.shutdownAndWait()
    #expect(closes.snapshot == [.loopShutDown, .loopShutDown, .loopShutDown])
    for client in clients { #expect(client.receiveUntilEndOfFile().sawEndOfFile) }
    #expect(!loop.execute {})
    #expect(throws: TransportError.loopShutDown) { try loop.runAndWait { 1 } }
    #expect(throws: (any Error).self) { try BlockingClient(connectTo: address) }
    #expect(fired.count == 0)
  }
}
