import Dispatch
import Synchronization
import ZooKeeperWire

/// A mutual-exclusion lock shared by every client of the ensemble (ZooKeeper's lock recipe,
/// as Curator's InterProcessMutex without re-entrancy).
///
/// Each contender creates an ephemeral sequential node under `path` and waits for the deletion
/// of its predecessor only, so a release wakes exactly one waiter (no herd effect). The holder's
/// node is ephemeral: if its session ends, the lock passes on.
///
/// ```swift
/// let lock = DistributedLock(client: client, path: "/locks/payments")
/// try await lock.acquire()
/// defer { Task { try await lock.release() } }
/// ```
public final class DistributedLock: Sendable {
  let members: SequentialMembers
  private let held = Mutex<String?>(nil)

  /// A lock at `path` (created as needed).
  public init(client: GroveClient, path: String) {
    members = SequentialMembers(client: client, path: path, prefix: "lock-")
  }

  /// The node this client holds the lock with, if it holds it.
  public var ownedNode: String? { held.withLock { $0 } }

  /// Waits until the lock is held (or `timeout` passes).
  /// - Returns: whether the lock is now held; on timeout the attempt is withdrawn.
  @discardableResult
  public func acquire(timeout: Duration? = nil) async throws(ZooKeeperError) -> Bool {
    precondition(held.withLock { $0 } == nil, "DistributedLock is not re-entrant")
    let node = try await members.join(data: [])
    let deadlineNs = timeout.map { DispatchTime.now().uptimeNanoseconds + UInt64(max(0, $0.milliseconds)) * 1_000_000 }
    let first: Bool
    do throws(ZooKeeperError) {
      first = try await members.waitUntilFirst(node, deadlineNs: deadlineNs)
    } catch {
      try? await members.client.delete(node)
      throw error
    }
    if !first {
      try? await members.client.delete(node)
      return false
    }
    held.withLock { $0 = node }
    return true
  }

  /// Releases the lock: its node is deleted and the next contender takes it.
  public func release() async throws(ZooKeeperError) {
    guard let node = held.withLock({ state -> String? in
      defer { state = nil }
      return state
    }) else { return }
    do throws(ZooKeeperError) {
      try await members.client.delete(node)
    } catch {
      if case .server(.noNode, _) = error { return }
      throw error
    }
  }
}
