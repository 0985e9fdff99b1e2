/// A min-heap of timed events; ties break by insertion order, so the schedule is deterministic.
/// The heap moves only small keys; payloads (messages can be large) stay put in slots.
struct EventQueue<Payload> {
  private struct Key {
    var time: Int
    var sequence: UInt64
    var slot: Int
    func precedes(_ other: Key) -> Bool {
      time != other.time ? time < other.time : sequence < other.sequence
    }
  }

  private var heap: [Key] = []
  private var slots: [Payload?] = []
  private var freeSlots: [Int] = []
  private var nextSequence: UInt64 = 0

  var count: Int { heap.count }
  var isEmpty: Bool { heap.isEmpty }

  mutating func push(_ payload: Payload, at time: Int) {
    let slot: Int
    if let free = freeSlots.popLast() {
      slot = free
      slots[slot] = payload
    } else {
      slot = slots.count
      slots.append(payload)
    }
    heap.append(Key(time: time, sequence: nextSequence, slot: slot))
    nextSequence += 1
    var i = heap.count - 1
    while i > 0 {
      let parent = (i - 1) / 2
      guard heap[i].precedes(heap[parent]) else { break }
      heap.swapAt(i, parent)
      i = parent
    }
  }

  /// Removes and returns the earliest event due at or before `time`.
  mutating func popDue(_ time: Int) -> Payload? {
    guard let first = heap.first, first.time <= time else { return nil }
    let last = heap.removeLast()
    if !heap.isEmpty {
      heap[0] = last
      var i = 0
      while true {
        let l = 2 * i + 1
        let r = l + 1
        var m = i
        if l < heap.count && heap[l].precedes(heap[m]) { m = l }
        if r < heap.count && heap[r].precedes(heap[m]) { m = r }
        if m == i { break }
        heap.swapAt(i, m)
        i = m
      }
    }
    let payload = slots[first.slot].take()
    freeSlots.append(first.slot)
    return payload
  }
}
