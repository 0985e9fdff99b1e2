// grove-wal-bench: benchmark and crash-test child for the Persistence write-ahead log.
// Its modes arrive in the next commit.
print("usage: grove-wal-bench (modes not yet built)")
