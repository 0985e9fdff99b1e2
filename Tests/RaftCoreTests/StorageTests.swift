import RaftCore
import Testing

@Suite("MemoryStorage and SeededRandom")
struct StorageTests {
  @Test("compacted entries report .compacted; entries past the end report .unavailable")
  func bounds() throws {
    let s = MemoryStorage.bootstrap(ConfState(voters: [1]))
    s.append((2...6).map { Entry(term: Term(1), index: LogIndex($0)) })
    _ = try s.createSnapshot(at: LogIndex(4), confState: ConfState(voters: [1]), data: [])
    try s.compact(through: LogIndex(4))
    #expect(try s.firstIndex() == LogIndex(5))
    #expect(try s.term(at: LogIndex(4)) == Term(1))
    #expect(throws: StorageError.compacted) { try s.term(at: LogIndex(3)) }
    #expect(throws: StorageError.compacted) { try s.entries(LogIndex(4)..<LogIndex(6), maxBytes: 100) }
    #expect(throws: StorageError.unavailable) { try s.entries(LogIndex(5)..<LogIndex(9), maxBytes: 100) }
  }

  @Test("appending over a suffix replaces it")
  func appendTruncates() throws {
    let s = MemoryStorage.bootstrap(ConfState(voters: [1]))
    s.append((2...5).map { Entry(term: Term(1), index: LogIndex($0)) })
    s.append([Entry(term: Term(2), index: LogIndex(3))])
    #expect(try s.lastIndex() == LogIndex(3))
    #expect(try s.term(at: LogIndex(3)) == Term(2))
  }

  @Test("entries are returned up to the byte bound, but at least one")
  func sizeBound() throws {
    let s = MemoryStorage.bootstrap(ConfState(voters: [1]))
    s.append((2...5).map { Entry(term: Term(1), index: LogIndex($0), data: [UInt8](repeating: 0, count: 100)) })
    #expect(try s.entries(LogIndex(2)..<LogIndex(6), maxBytes: 1).count == 1)
    #expect(try s.entries(LogIndex(2)..<LogIndex(6), maxBytes: 250).count == 2)
  }

  @Test("the seeded generator is a pure function of its seed")
  func seededRandom() {
    var a = SeededRandom(seed: 42)
    var b = SeededRandom(seed: 42)
    var c = SeededRandom(seed: 43)
    let xs = (0..<8).map { _ in a.next() }
    #expect(xs == (0..<8).map { _ in b.next() })
    #expect(xs != (0..<8).map { _ in c.next() })
    for _ in 0..<1000 { #expect(a.below(7) < 7) }
  }
}
