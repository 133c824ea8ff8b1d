package kmspub

// KeyringNames reports how many entries that are not key ARNs' permanent
// ones r holds: as its name index counts them, and as found in its map.
// Tests check that the two agree and stay within the bound.
func KeyringNames(r *Keyring) (indexed, mapped int) {
	r.names.mu.Lock()
	indexed = len(r.names.byName)
	if len(r.names.heap) != indexed {
		indexed = -1 // the heap and the map of the index disagree
	}
	r.names.mu.Unlock()
	r.entries.Range(func(_, v any) bool {
		if !v.(*keyringEntry).permanent {
			mapped++
		}
		return true
	})
	return indexed, mapped
}
