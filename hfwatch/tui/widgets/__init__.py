"""One widget per module; `keyed_table.KeyedTable` is the in-place-updated table they build on."""
