import CLinuxShims
import Glibc

extension Connection {
  /// Handles epoll's report for this connection.
  func handleEvents(_ events: UInt32, readBuffer: UnsafeMutableRawBufferPointer) {
    if state == .connecting {
      finishConnect()
      return
    }
    let failed = events & (GROVE_EPOLLERR | GROVE_EPOLLHUP) != 0
    if events & GROVE_EPOLLIN != 0 || failed, wantsInput {
      readAvailable(into: readBuffer)
    }
    if events & GROVE_EPOLLOUT != 0 || failed, waitingForWritable, !isClosed {
      flushQueue()
    }
    // An error or hang-up is reported whatever the interest, so one the reads and writes above did
    // not consume (reading paused, nothing to write) would be reported again every turn: close now.
    if failed, !isClosed, !wantsInput {
      let error = grove_socket_error(fd)
      switch error {
      case 0: closeNow(.peerClosed)
      case ECONNRESET, EPIPE: closeNow(.reset)
      default: closeNow(.ioError(call: "socket", errno: error))
      }
    }
  }

  /// Whether the loop should read this connection now.
  var wantsInput: Bool { state == .active && !readingPaused && !inputClosed }

  /// Reads up to `readBytesPerTurnMax` bytes, delivering each chunk to the handler as it arrives.
  private func readAvailable(into buffer: UnsafeMutableRawBufferPointer) {
    var budget = options.readBytesPerTurnMax
    // The handler may pause, close or abort between chunks: `wantsInput` is checked each time.
    while budget > 0 && wantsInput {
      let asked = min(budget, buffer.count)
      let count = Glibc.read(fd, buffer.baseAddress, asked)
      if count > 0 {
        bytesReceived += UInt64(count)
        budget -= count
        handler.connection(self, received: Array(UnsafeRawBufferPointer(rebasing: buffer[0..<count])))
        // A short read means the socket buffer is empty; don't pay for a read that finds EAGAIN.
        if count < asked { return }
      } else if count == 0 {
        peerEndedOutput()
        return
      } else {
        let error = currentErrno
        switch error {
        case EINTR: continue
        case EAGAIN, EWOULDBLOCK: return
        case ECONNRESET, EPIPE, ETIMEDOUT: closeNow(.reset)
        default: closeNow(.ioError(call: "read", errno: error))
        }
        return
      }
    }
  }

  /// End of file: as `allowHalfClosure` says, tell the handler or close after flushing.
  private func peerEndedOutput() {
    inputClosed = true
    updateInterest()
    if options.allowHalfClosure {
      loop.state.notifications.append(.inputClosed(self))
    } else {
      beginClose(.peerClosed)
    }
  }

  /// Sends as much of the queue as the socket takes; closes a `closing` connection once empty.
  func flushQueue() {
    guard state == .active || isClosing else { return }
    while !writeQueue.isEmpty {
      var offered = 0
      let sent = writeQueue.withIovecs { vectors in
        offered = vectors.reduce(0) { $0 + $1.iov_len }
        return grove_send_iovecs(fd, vectors.baseAddress, Int32(vectors.count))
      }
      if sent < 0 {
        let error = currentErrno
        if error == EAGAIN || error == EWOULDBLOCK {
          waitingForWritable = true
          break
        }
        closeNow(error == EPIPE || error == ECONNRESET ? .reset : .ioError(call: "sendmsg", errno: error))
        return
      }
      writeQueue.consume(sent)
      bytesSent += UInt64(sent)
      if sent < offered {
        // The socket buffer is full; EPOLLOUT says when it has room.
        waitingForWritable = true
        break
      }
    }
    if writeQueue.isEmpty {
      waitingForWritable = false
      if case .closing(let reason) = state {
        closeNow(reason)
        return
      }
    }
    if !isWritable && writeQueue.queuedBytes <= options.writeQueueLowWatermarkBytes {
      isWritable = true
      loop.state.notifications.append(.writabilityChanged(self))
    }
    updateInterest()
  }

  /// Starts a graceful close with `reason`: stop reading, flush, then close.
  func beginClose(_ reason: CloseReason) {
    switch state {
    case .closed, .closing: return
    case .connecting:
      closeNow(reason)
    case .active:
      state = .closing(reason)
      if let timer { loop.cancelTimer(timer) }
      timer = nil
      if writeQueue.isEmpty {
        closeNow(reason)
        return
      }
      timer = loop.scheduleTimer(afterMs: options.closeTimeoutMs) { [self] in
        timer = nil
        closeNow(.closeTimedOut)
      }
      flushQueue()
    }
  }

  /// Closes the descriptor at once and queues `connectionClosed(reason)`. Idempotent.
  func closeNow(_ reason: CloseReason) {
    guard state != .closed else { return }
    state = .closed
    if let timer { loop.cancelTimer(timer) }
    timer = nil
    writeQueue.removeAll()
    let loopState = loop.state
    _ = grove_epoll_remove(loop.epollFD, fd)
    // An abandoned connection (abort, overflow, timed-out close) resets rather than lingering with
    // bytes the peer will never get: the kernel drops its buffers at once.
    if reason == .aborted || reason == .writeQueueOverflow || reason == .closeTimedOut {
      _ = grove_set_linger_zero(fd)
    }
    closeDescriptor(fd)
    fd = -1
    loopState.registrations[id.rawValue] = nil
    loopState.openConnectionCount -= 1
    listener?.connectionDidClose(from: peerAddress)
    loopState.notifications.append(.closed(self, reason))
  }

  /// An outgoing connect finished (the socket turned writable or failed): check SO_ERROR.
  func finishConnect() {
    let error = grove_socket_error(fd)
    guard error == 0 else {
      closeNow(.connectFailed(errno: error < 0 ? currentErrno : error))
      return
    }
    state = .active
    if let timer { loop.cancelTimer(timer) }
    timer = nil
    var address: UInt32 = 0
    var port: UInt16 = 0
    if grove_local_address_ipv4(fd, &address, &port) == 0 {
      localAddress = SocketAddress(ipv4: address, port: port)
    }
    loop.state.notifications.append(.active(self))
    if !isWritable { loop.state.notifications.append(.writabilityChanged(self)) }
    if !writeQueue.isEmpty {
      flushQueue()
    } else {
      updateInterest()
    }
  }

  /// Tells epoll what this connection waits for, when that changed.
  func updateInterest() {
    guard state != .closed else { return }
    var events: UInt32 = 0
    if state == .connecting {
      events = GROVE_EPOLLOUT
    } else {
      if wantsInput { events |= GROVE_EPOLLIN }
      if waitingForWritable { events |= GROVE_EPOLLOUT }
    }
    guard events != registeredEvents else { return }
    let result = grove_epoll_modify(loop.epollFD, fd, events, id.rawValue)
    precondition(result == 0, "\(id): epoll_ctl(MOD) failed: \(describe(errno: currentErrno))")
    registeredEvents = events
  }
}
