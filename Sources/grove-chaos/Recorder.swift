import ChaosCheck
import Dispatch
import Synchronization

/// Monotonic nanoseconds, one clock for every client of the run.
func nowNs() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// Collects every operation of every client; safe to call from any task.
final class Recorder: Sendable {
  private struct State {
    var history = History()
    var nextProcess = 1
  }
  private let state = Mutex(State())

  /// A fresh process id: one per session, so a new session of the same worker is another process
  /// (ZooKeeper's ordering guarantees hold per session).
  func newProcess() -> ProcessID {
    state.withLock { state in
      defer { state.nextProcess += 1 }
      return ProcessID(state.nextProcess)
    }
  }

  func setInitial(_ key: String, _ value: RegisterState) {
    state.withLock { $0.history.initialRegisters[key] = value }
  }
  func record(_ operation: RegisterOperation) { state.withLock { $0.history.registers.append(operation) } }
  func record(_ operation: AppendOperation) { state.withLock { $0.history.appends.append(operation) } }
  func record(_ ephemeral: EphemeralRecord) { state.withLock { $0.history.ephemerals.append(ephemeral) } }

  /// Sets how the session of `process` ended (its ephemeral record, if any).
  func endSession(_ process: ProcessID, _ end: SessionEnd) {
    state.withLock { state in
      for index in state.history.ephemerals.indices where state.history.ephemerals[index].process == process {
        state.history.ephemerals[index].sessionEnd = end
      }
    }
  }

  func setFinal(_ final: FinalState) { state.withLock { $0.history.final = final } }

  var history: History { state.withLock { $0.history } }
}

/// The outcome of one bounded attempt.
enum Attempt<Value: Sendable>: Sendable {
  case done(Result<Value, any Error>)
  case timedOut
}

/// Resumes a continuation once, whichever of the operation and its timer finishes first.
private final class FirstFinisher<Value: Sendable>: Sendable {
  private let pending: Mutex<CheckedContinuation<Attempt<Value>, Never>?>
  init(_ continuation: CheckedContinuation<Attempt<Value>, Never>) { pending = Mutex(continuation) }
  func finish(_ attempt: Attempt<Value>) {
    pending.withLock { pending in
      pending?.resume(returning: attempt)
      pending = nil
    }
  }
}

/// Runs `body`, giving up after `timeoutMs`: the operation then stays in flight in the background
/// (its outcome is unknown to the history, as a connection loss would be).
func bounded<Value: Sendable>(
  _ timeoutMs: Int, _ body: @escaping @Sendable () async throws -> Value
) async -> Attempt<Value> {
  await withCheckedContinuation { continuation in
    let finisher = FirstFinisher(continuation)
    let timer = Task {
      try? await Task.sleep(for: .milliseconds(timeoutMs))
      finisher.finish(.timedOut)
    }
    Task {
      do {
        finisher.finish(.done(.success(try await body())))
      } catch {
        finisher.finish(.done(.failure(error)))
      }
      timer.cancel()
    }
  }
}
