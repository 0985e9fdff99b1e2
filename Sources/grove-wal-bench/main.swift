// grove-wal-bench: measures the write-ahead log on this machine's disk, and serves as the child
// process of the real crash test.
//
//   grove-wal-bench [--dir PATH] [--seconds S] [--recovery-entries N]
//       raw write+fdatasync rate, appends/s and syncs/s with 1, 8 and 64 appenders (100-byte
//       entries), and recovery time of an N-entry log (default 1,000,000). Data goes under PATH
//       (default: a new directory under /tmp) and is removed afterwards.
//   grove-wal-bench crash-child DIR SEED
//       appends to the log in DIR forever, printing "ack <index>" once entries through <index>
//       are durable; the crash test kills it with SIGKILL and checks nothing acknowledged is lost.

import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())

func usage() -> Never {
  FileHandle.standardError.write(
    Data(
      "usage: grove-wal-bench [--dir PATH] [--seconds S] [--recovery-entries N]\n       grove-wal-bench crash-child DIR SEED\n"
        .utf8))
  exit(2)
}

if arguments.first == "crash-child" {
  guard arguments.count == 3, let seed = UInt64(arguments[2]) else { usage() }
  CrashChild.run(directory: arguments[1], seed: seed)
}

var directory: String? = nil
var seconds = 3.0
var recoveryEntries = 1_000_000
var position = 0
while position < arguments.count {
  let flag = arguments[position]
  guard position + 1 < arguments.count else { usage() }
  let value = arguments[position + 1]
  switch flag {
  case "--dir": directory = value
  case "--seconds": seconds = Double(value) ?? { usage() }()
  case "--recovery-entries": recoveryEntries = Int(value) ?? { usage() }()
  default: usage()
  }
  position += 2
}
Benchmark.run(directory: directory, seconds: seconds, recoveryEntries: recoveryEntries)
