package storage

// selectSmallest reorders keys so that its first k are its k smallest,
// in no particular order, in expected time linear in len(keys)
// (quickselect, the pivot a median of three).
func selectSmallest(keys []uint64, k int) {
	lo, hi := 0, len(keys) // keys[lo:hi] holds the k-th smallest's place
	if k <= 0 || k >= hi {
		return
	}
	for hi-lo > 16 {
		mid := lo + (hi-lo)/2
		// Median of the first, middle and last as the pivot.
		a, b, c := keys[lo], keys[mid], keys[hi-1]
		pivot := max(min(a, b), min(max(a, b), c))
		// Three-way partition: below, equal to and above the pivot, so
		// that runs of equal keys cannot make it quadratic.
		lt, i, gt := lo, lo, hi
		for i < gt {
			switch x := keys[i]; {
			case x < pivot:
				keys[lt], keys[i] = x, keys[lt]
				lt++
				i++
			case x > pivot:
				gt--
				keys[gt], keys[i] = x, keys[gt]
			default:
				i++
			}
		}
		switch {
		case k < lt:
			hi = lt
		case k >= gt:
			lo = gt
		default:
			return // the k-th smallest equals the pivot: keys[:k] is set
		}
	}
	// A short range: insertion sort puts it in order.
	for i := lo + 1; i < hi; i++ {
		for j := i; j > lo && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
}
