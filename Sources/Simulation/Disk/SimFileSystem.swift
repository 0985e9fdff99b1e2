import Persistence
import Synchronization

/// A simulated disk for the deterministic world: the real log code runs over it unchanged.
///
/// It keeps two images of everything: what a reader sees now (volatile) and what survives a crash
/// (durable). File data becomes durable on `syncData` / `sync`; names (create, rename, remove) on
/// `syncDirectory`. `crash()` drops the volatile images: each write since the file's last sync is,
/// independently, kept, lost, or torn (only a prefix reaches the disk), so the image after a crash
/// can have holes exactly where a real disk's page writeback could leave them. Faults and latency
/// come from a seeded generator, so a run is defined by its seed and the order of calls.
///
/// Use one per simulated node: `crash()` is that node losing power.
public final class SimFileSystem: FileSystem {
  /// Injected faults and simulated latency.
  public struct Faults: Sendable {
    /// Probability that a write fails with EIO (and writes nothing).
    public var writeErrorProbability: Double
    /// Probability that a sync fails with EIO; its unsynced writes are then lost on a crash even
    /// though reads still see them (as Linux after a failed fsync).
    public var syncErrorProbability: Double
    /// Microseconds each write, and each sync, takes; jitter adds up to the same again.
    public var writeLatencyMicroseconds: UInt64
    public var syncLatencyMicroseconds: UInt64

    public init(
      writeErrorProbability: Double = 0, syncErrorProbability: Double = 0,
      writeLatencyMicroseconds: UInt64 = 20,
      syncLatencyMicroseconds: UInt64 = 1000
    ) {
      self.writeErrorProbability = writeErrorProbability
      self.syncErrorProbability = syncErrorProbability
      self.writeLatencyMicroseconds = writeLatencyMicroseconds
      self.syncLatencyMicroseconds = syncLatencyMicroseconds
    }
  }

  /// Counters for tests and the simulator.
  public struct Statistics: Sendable, Equatable {
    public var writes = 0
    public var syncs = 0
    public var directorySyncs = 0
    public var crashes = 0
    /// Simulated time spent in disk operations.
    public var elapsedMicroseconds: UInt64 = 0
  }

  let disk: Mutex<SimDisk>

  public init(seed: UInt64, faults: Faults = Faults()) {
    disk = Mutex(SimDisk(random: DiskRandom(seed: seed), faults: faults))
  }

  /// Changes the injected faults from now on.
  public func setFaults(_ faults: Faults) { disk.withLock { $0.faults = faults } }

  public var statistics: Statistics { disk.withLock { $0.statistics } }

  /// Power loss: everything not yet durable is lost or torn; open files become unusable.
  public func crash() { disk.withLock { $0.crash() } }

  /// Schedules power loss at the `count`-th mutating operation from now (write, sync, resize,
  /// create, rename, remove, directory sync): that operation fails with EIO and has no effect,
  /// after the crash. So a test can crash a run at every point in turn.
  public func crash(atOperation count: Int) {
    disk.withLock { $0.scheduledCrash = $0.operations + count }
  }

  /// Cancels a crash scheduled by `crash(atOperation:)` that has not happened yet.
  public func cancelScheduledCrash() {
    disk.withLock { $0.scheduledCrash = nil }
  }

  /// Mutating operations performed so far.
  public var operations: Int { disk.withLock { $0.operations } }

  /// The volatile bytes of the file at `path` (for tests that damage files on purpose).
  public func contents(of path: String) -> [UInt8]? {
    disk.withLock { disk in disk.lookup(path).map { disk.inodes[$0]!.volatile } }
  }

  /// Replaces the bytes of the file at `path`, durably (damage done to the disk itself).
  public func damage(_ path: String, _ body: (inout [UInt8]) -> Void) {
    disk.withLock { disk in
      guard let id = disk.lookup(path) else { return }
      body(&disk.inodes[id]!.volatile)
      disk.inodes[id]!.durable = disk.inodes[id]!.volatile
      disk.inodes[id]!.unsynced.removeAll()
    }
  }

  public func makeDirectory(_ path: String) throws(PersistenceError) {
    disk.withLock { disk in
      var prefix = ""
      for component in path.split(separator: "/") {
        prefix += "/" + component
        if disk.directories[prefix] == nil { disk.directories[prefix] = SimDirectory() }
      }
    }
  }

  public func contentsOfDirectory(_ path: String) throws(PersistenceError) -> [String] {
    try disk.withLock { (disk) throws(PersistenceError) -> [String] in
      guard let directory = disk.directories[normalized(path)] else {
        throw .io(operation: "opendir", path: path, errno: 2)
      }
      return directory.volatile.keys.sorted()
    }
  }

  public func openFile(_ path: String, create: Bool) throws(PersistenceError) -> any DurableFile {
    try disk.withLock { (disk) throws(PersistenceError) -> any DurableFile in
      let (parent, name) = split(path)
      guard disk.directories[parent] != nil else { throw .io(operation: "open", path: path, errno: 2) }
      if let id = disk.directories[parent]!.volatile[name] {
        return SimFile(fileSystem: self, inode: id, generation: disk.generation, path: path)
      }
      guard create else { throw .io(operation: "open", path: path, errno: 2) }
      guard disk.proceed() else { throw .io(operation: "open", path: path, errno: 5) }
      let id = disk.nextInode
      disk.nextInode += 1
      disk.inodes[id] = SimInode()
      disk.directories[parent]!.volatile[name] = id
      return SimFile(fileSystem: self, inode: id, generation: disk.generation, path: path)
    }
  }

  public func rename(_ source: String, to destination: String) throws(PersistenceError) {
    try disk.withLock { (disk) throws(PersistenceError) in
      let (sourceParent, sourceName) = split(source)
      let (destinationParent, destinationName) = split(destination)
      guard let id = disk.directories[sourceParent]?.volatile[sourceName],
        disk.directories[destinationParent] != nil
      else { throw .io(operation: "rename", path: source, errno: 2) }
      guard disk.proceed() else { throw .io(operation: "rename", path: source, errno: 5) }
      disk.directories[sourceParent]!.volatile[sourceName] = nil
      disk.directories[destinationParent]!.volatile[destinationName] = id
    }
  }

  public func removeFile(_ path: String) throws(PersistenceError) {
    try disk.withLock { (disk) throws(PersistenceError) in
      let (parent, name) = split(path)
      guard disk.directories[parent]?.volatile[name] != nil else {
        throw .io(operation: "unlink", path: path, errno: 2)
      }
      guard disk.proceed() else { throw .io(operation: "unlink", path: path, errno: 5) }
      disk.directories[parent]!.volatile[name] = nil
    }
  }

  public func syncDirectory(_ path: String) throws(PersistenceError) {
    try disk.withLock { (disk) throws(PersistenceError) in
      let key = normalized(path)
      guard disk.directories[key] != nil else {
        throw .io(operation: "fsync directory", path: path, errno: 2)
      }
      guard disk.proceed() else { throw .io(operation: "fsync directory", path: path, errno: 5) }
      disk.directories[key]!.durable = disk.directories[key]!.volatile
      disk.statistics.directorySyncs += 1
      disk.spend(disk.faults.syncLatencyMicroseconds)
    }
  }
}

func normalized(_ path: String) -> String {
  "/" + path.split(separator: "/").joined(separator: "/")
}

/// The directory and the name of `path`.
func split(_ path: String) -> (String, String) {
  var components = path.split(separator: "/").map(String.init)
  let name = components.popLast() ?? ""
  return ("/" + components.joined(separator: "/"), name)
}
