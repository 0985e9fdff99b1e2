import CLinuxShims
import Glibc

extension EventLoop {
  /// The loop thread's body: turns until shutdown, then closes everything.
  func run() {
    let state = self.state
    while !state.isStopping {
      turn(state)
    }
    closeEverything(state)
  }

  /// One loop turn; see the type's documentation for the order of its steps.
  private func turn(_ state: LoopState) {
    let ready = grove_epoll_wait(
      epollFD, state.readyEvents, Int32(LoopState.readyEventsMax), waitTimeoutMs(state))
    if ready < 0 {
      let error = currentErrno
      precondition(error == EINTR, "epoll_wait failed: \(describe(errno: error))")
    }
    for index in 0..<max(Int(ready), 0) {
      let event = state.readyEvents[index]
      dispatch(event.events, token: event.token, state: state)
      state.deliverNotifications()
    }
    let nowNs = readMonotonicClockNs()
    while let body = state.timers.popDue(nowNs: nowNs) {
      body()
      state.deliverNotifications()
    }
    let (tasks, isClosed) = takeTasks()
    for task in tasks {
      task()
      state.deliverNotifications()
    }
    if isClosed { state.isStopping = true }
    for handler in state.turnEndHandlers {
      handler()
      state.deliverNotifications()
    }
    flushDirty(state)
    state.turnCount += 1
  }

  /// Milliseconds until the next timer (rounded up, so a timer never fires early), or -1 to wait
  /// for events alone.
  private func waitTimeoutMs(_ state: LoopState) -> Int32 {
    // Connections left to flush by the previous turn (see `flushDirty`) must not wait for events.
    if !state.dirty.isEmpty { return 0 }
    guard let deadlineNs = state.timers.nextDeadlineNs() else { return -1 }
    let nowNs = readMonotonicClockNs()
    guard deadlineNs > nowNs else { return 0 }
    let waitMs = (deadlineNs - nowNs + 999_999) / 1_000_000
    return Int32(clamping: waitMs)
  }

  private func dispatch(_ events: UInt32, token: UInt64, state: LoopState) {
    if token == LoopState.wakeToken {
      let drained = grove_eventfd_drain(wakeFD)
      precondition(drained == 0, "eventfd read failed: \(describe(errno: currentErrno))")
      return
    }
    // A token closed earlier in this turn finds no registration: its event is stale.
    switch state.registrations[token] {
    case .connection(let connection): connection.handleEvents(events, readBuffer: state.readBuffer)
    case .listener(let listener): listener.acceptBatch()
    case nil: break
    }
  }

  /// Flushes every connection written during the turn, including those written by notifications
  /// delivered while flushing.
  private func flushDirty(_ state: LoopState) {
    var rounds = 0
    while !state.dirty.isEmpty {
      let dirty = state.dirty
      state.dirty.removeAll(keepingCapacity: true)
      for connection in dirty {
        connection.isDirty = false
        connection.flush()
      }
      state.deliverNotifications()
      rounds += 1
      // Handlers that write on every writability change could keep this going; the rest waits
      // for the next turn, whose epoll_wait does not block while `dirty` is not empty.
      if rounds >= 4 { break }
    }
  }

  /// Shutdown: every connection gets one last flush and is closed, every listener is closed,
  /// timers and turn-end handlers are released, and the descriptors are closed.
  private func closeEverything(_ state: LoopState) {
    // Tasks handed in before `shutdown()` have run (the last turn took them); none can arrive now.
    let registrations = state.registrations.sorted { $0.key < $1.key }
    for (_, registration) in registrations {
      switch registration {
      case .connection(let connection):
        connection.flush()
        connection.closeNow(.loopShutDown)
      case .listener(let listener):
        listener.close()
      }
      state.deliverNotifications()
    }
    precondition(state.registrations.isEmpty, "registrations left after shutdown")
    state.timers.removeAll()
    state.turnEndHandlers.removeAll()
    state.dirty.removeAll()
    closeDescriptor(wakeFD)
    closeDescriptor(epollFD)
  }
}
