import Dispatch
import Synchronization
import Transport

/// Sends one command line to a proxy's control channel and returns its answer line (without the
/// newline). Blocks the calling thread (not an event-loop thread) for at most `timeoutMs`.
/// - Throws: `ControlClientError` when the proxy cannot be reached or does not answer in time.
func sendControlCommand(_ line: String, to address: SocketAddress, timeoutMs: Int = 5_000) throws -> String {
  let loop = try EventLoop(name: "grove-proxy-ctl")
  defer { loop.shutdownAndWait() }
  let outcome = ControlOutcome()
  try loop.runAndWait {
    let handler = ControlClientHandler(outcome: outcome)
    let connection = try loop.connect(to: address, timeoutMs: Int64(timeoutMs), handler: handler)
    connection.write(Array((line + "\n").utf8))
  }
  guard outcome.done.wait(timeout: .now() + .milliseconds(timeoutMs)) == .success else {
    throw ControlClientError("no answer from the proxy control at \(address) within \(timeoutMs) ms")
  }
  return try outcome.result.withLock { $0! }.get()
}

/// Why a control command got no answer.
struct ControlClientError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// Carries the answer from the loop thread to the waiting caller.
final class ControlOutcome: Sendable {
  let result = Mutex<Result<String, ControlClientError>?>(nil)
  let done = DispatchSemaphore(value: 0)

  /// Records the first outcome only and wakes the caller.
  func finish(_ outcome: Result<String, ControlClientError>) {
    let first = result.withLock { slot in
      guard slot == nil else { return false }
      slot = outcome
      return true
    }
    if first { done.signal() }
  }
}

/// Collects bytes up to the first newline.
final class ControlClientHandler: ConnectionHandler {
  let outcome: ControlOutcome
  var buffer: [UInt8] = []

  init(outcome: ControlOutcome) { self.outcome = outcome }

  func connection(_ connection: Connection, received bytes: [UInt8]) {
    buffer += bytes
    if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
      outcome.finish(.success(String(decoding: buffer[..<newline], as: UTF8.self)))
      connection.close()
    } else if buffer.count > 64 * 1024 {
      outcome.finish(.failure(ControlClientError("answer line too long")))
      connection.close()
    }
  }

  func connectionClosed(_ connection: Connection, reason: CloseReason) {
    outcome.finish(.failure(ControlClientError("proxy control at \(connection.peerAddress): \(reason)")))
  }
}
