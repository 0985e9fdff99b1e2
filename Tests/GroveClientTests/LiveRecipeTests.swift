import GroveClient
import Synchronization
import Testing
import Transport
import ZooKeeperWire

@Suite("GroveClient against a live server: recipes", .enabled(if: LiveServer.available), .timeLimit(.minutes(1)))
struct LiveRecipeTests {
  @Test("a lock is held by one holder at a time among 10 contenders")
  func lockMutualExclusion() async throws {
    let server = try await LiveServer.connectString()
    let root = uniqueRoot("lock")
    let counters = LockCounters()
    try await within(60) {
      try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<10 {
          group.addTask {
            try await withClient(server) { client in
              let lock = DistributedLock(client: client, path: root)
              for _ in 0..<3 {
                try await lock.acquire()
                let now = counters.holders.add(1, ordering: .sequentiallyConsistent).newValue
                counters.maxHolders.max(now, ordering: .sequentiallyConsistent)
                try await Task.sleep(for: .milliseconds(2))
                counters.holders.subtract(1, ordering: .sequentiallyConsistent)
                counters.acquisitions.add(1, ordering: .relaxed)
                try await lock.release()
              }
            }
          }
        }
        try await group.waitForAll()
      }
    }
    let total = counters.acquisitions.load(ordering: .relaxed)
    let most = counters.maxHolders.load(ordering: .sequentiallyConsistent)
    #expect(total == 30)
    #expect(most == 1)
    try await withClient(server) { try await $0.deleteRecursively(root) }
  }

  @Test("a lock acquire with a timeout gives up and withdraws while another holds it")
  func lockTimeout() async throws {
    let server = try await LiveServer.connectString()
    let root = uniqueRoot("locktimeout")
    try await withClient(server) { a in
      try await withClient(server) { b in
        let first = DistributedLock(client: a, path: root)
        let second = DistributedLock(client: b, path: root)
        #expect(try await first.acquire())
        #expect(try await second.acquire(timeout: .milliseconds(300)) == false)
        #expect(try await a.getChildren(root).children.count == 1)
        try await first.release()
        #expect(try await second.acquire(timeout: .seconds(5)))
        try await second.release()
      }
      try await a.deleteRecursively(root)
    }
  }

  @Test("election hands leadership over when the leader's session ends")
  func electionHandover() async throws {
    let server = try await LiveServer.connectString()
    let root = uniqueRoot("elect")
    let leader = try await GroveClient.connect(server)
    let follower = try await GroveClient.connect(server)
    let first = LeaderElection(client: leader, path: root, id: "first")
    let second = LeaderElection(client: follower, path: root, id: "second")
    let firstChanges = Collector(try await first.start())
    try await firstChanges.wait { $0 == [true] }
    let secondChanges = Collector(try await second.start())
    try await secondChanges.wait { $0 == [false] }
    #expect(try await second.currentLeader() == "first")
    await leader.close()
    try await secondChanges.wait { $0 == [false, true] }
    #expect(try await second.currentLeader() == "second")
    await second.stop()
    try await follower.deleteRecursively(root)
    await follower.close()
  }

  @Test("discovery sees registrations and removals, including by session expiry, in Curator's JSON layout")
  func discovery() async throws {
    let server = try await LiveServer.connectString()
    let base = uniqueRoot("disc")
    try await withClient(server) { observer in
      let discovery = ServiceDiscovery<String>(client: observer, basePath: base)
      let (instances, cache) = try await discovery.watchInstances(of: "api")
      let updates = Collector(instances)
      try await updates.wait { $0.last == [] }
      // A registrant that goes away by closing.
      try await withClient(server) { registrant in
        let mine = ServiceDiscovery<String>(client: registrant, basePath: base)
        try await mine.register(ServiceInstance(name: "api", id: "a1", address: "10.0.0.1", port: 80, payload: "x", uriSpec: UriSpec("{scheme}://{address}:{port}")))
        let seen = try await updates.wait { $0.last?.map(\.id) == ["a1"] }.last
        #expect(seen?.first?.uriSpec?.parts.count == 5)
        #expect(seen?.first?.payload == "x")
        let json = String(decoding: try await observer.getData(base + "/api/a1").data, as: UTF8.self)
        for key in ["\"name\":\"api\"", "\"id\":\"a1\"", "\"sslPort\":null", "\"serviceType\":\"DYNAMIC\"", "\"registrationTimeUTC\":"] {
          #expect(json.contains(key), "\(key) in \(json)")
        }
      }
      try await updates.wait { $0.last == [] }
      // A registrant whose session expires: its loop stops without closing the session.
      let loop = try EventLoop(name: "doomed")
      let doomed = try await GroveClient.connect(server, sessionTimeout: .seconds(2), eventLoop: loop)
      try await ServiceDiscovery<String>(client: doomed, basePath: base).register(
        ServiceInstance(name: "api", id: "d1", address: "10.0.0.2", port: 81))
      try await updates.wait { $0.last?.map(\.id) == ["d1"] }
      loop.shutdownAndWait()
      try await updates.wait(seconds: 20) { $0.last == [] }
      _ = doomed
      #expect(try await discovery.instances(of: "api").isEmpty)
      cache.stop()
      _ = doomed
      try await observer.deleteRecursively(base)
    }
  }

  @Test("a barrier holds waiters until removed; a double barrier lets all enter together and leave together")
  func barriers() async throws {
    let server = try await LiveServer.connectString()
    let root = uniqueRoot("barrier")
    try await withClient(server) { client in
      let barrier = Barrier(client: client, path: root + "/b")
      try await barrier.set()
      let released = Atomic<Bool>(false)
      let waiting = Task {
        try await barrier.wait()
        released.store(true, ordering: .sequentiallyConsistent)
      }
      try await Task.sleep(for: .milliseconds(100))
      let early = released.load(ordering: .sequentiallyConsistent)
      #expect(!early)
      try await barrier.remove()
      try await within(5) { try await waiting.value }
      let late = released.load(ordering: .sequentiallyConsistent)
      #expect(late)
    }
    let counters = LockCounters()
    try await within(30) {
      try await withThrowingTaskGroup(of: Int.self) { group in
        for i in 0..<3 {
          group.addTask {
            try await withClient(server) { client in
              let double = DoubleBarrier(client: client, path: root + "/d", memberCount: 3, name: "m\(i)")
              // Nobody gets past enter() before all three have arrived ...
              counters.holders.add(1, ordering: .sequentiallyConsistent)
              try await double.enter()
              let arrived = counters.holders.load(ordering: .sequentiallyConsistent)
              #expect(arrived == 3)
              // ... nor past leave() before all three are leaving.
              counters.maxHolders.add(1, ordering: .sequentiallyConsistent)
              try await double.leave()
              let leaving = counters.maxHolders.load(ordering: .sequentiallyConsistent)
              #expect(leaving == 3)
              let left = try await client.getChildren(root + "/d").children.filter { $0 != "ready" }.count
              #expect(left == 0)
              return counters.acquisitions.add(1, ordering: .sequentiallyConsistent).newValue
            }
          }
        }
        try await group.waitForAll()
      }
    }
    try await withClient(server) { try await $0.deleteRecursively(root) }
  }
}

final class LockCounters: Sendable {
  let holders = Atomic<Int>(0)
  let maxHolders = Atomic<Int>(0)
  let acquisitions = Atomic<Int>(0)
}
