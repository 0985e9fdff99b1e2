import Synchronization
import ZooKeeperWire

/// Leader election among the clients that join at `path` (as Curator's LeaderLatch): the
/// participant with the lowest sequence number leads; the others each watch their predecessor.
/// When the leader's session ends (or it calls `stop()`), the next one takes over.
///
/// ```swift
/// let election = LeaderElection(client: client, path: "/election/scheduler", id: "node-1")
/// for await leading in try await election.start() { leading ? resume() : pause() }
/// ```
public final class LeaderElection: Sendable {
  let members: SequentialMembers
  let id: String
  private let node = Mutex<String?>(nil)
  private let task = Mutex<Task<Void, Never>?>(nil)

  /// A participant called `id` (stored as its node's data) in the election at `path`.
  public init(client: GroveClient, path: String, id: String) {
    members = SequentialMembers(client: client, path: path, prefix: "latch-")
    self.id = id
  }

  /// Joins the election. The stream yields `false` at once if another participant leads,
  /// `true` when this one becomes leader, and `false` again if it loses leadership (its node
  /// disappeared: session expiry). It finishes after `stop()` or when the session ends.
  public func start() async throws(ZooKeeperError) -> AsyncStream<Bool> {
    let joined = try await members.join(data: Array(id.utf8))
    node.withLock { $0 = joined }
    let (stream, continuation) = AsyncStream.makeStream(of: Bool.self)
    let members = self.members
    let running = Task {
      var leading: Bool?
      func report(_ value: Bool) {
        if leading != value {
          leading = value
          continuation.yield(value)
        }
      }
      do throws(ZooKeeperError) {
        let line = try await members.members()
        if line.first != joined.split(separator: "/").last.map(String.init) { report(false) }
        guard try await members.waitUntilFirst(joined, deadlineNs: nil) else { return }
        report(true)
        // Leading until our node goes away.
        while !Task.isCancelled {
          let (stat, watch) = try await members.client.watchExists(joined)
          if stat == nil { break }
          _ = try await watch.event()
        }
        report(false)
      } catch {
        if leading == true { report(false) }
      }
      continuation.finish()
    }
    task.withLock { $0 = running }
    continuation.onTermination = { _ in running.cancel() }
    return stream
  }

  /// The id of the current leader (the data of the lowest node), if any.
  public func currentLeader() async throws(ZooKeeperError) -> String? {
    for name in try await members.members() {
      if let data = try? await members.client.getData("\(members.path)/\(name)") {
        return String(decoding: data.data, as: UTF8.self)
      }
    }
    return nil
  }

  /// Leaves the election: this participant's node is deleted, handing leadership on.
  public func stop() async {
    task.withLock { $0 }?.cancel()
    if let joined = node.withLock({ state -> String? in
      defer { state = nil }
      return state
    }) {
      try? await members.client.delete(joined)
    }
  }
}
