// grove-server: its code arrives in the issue that builds it.
