package dev.echo.core.protocol;

import java.util.Arrays;

/**
 * A growable ring of entries: appended at the back, evicted from the front, truncated from the back, each in time
 * proportional to the entries removed, so evicting the oldest entries after every step costs no copying. Not
 * thread-safe.
 */
final class EntryRing {
    private Entry[] items = new Entry[64];
    private int head;
    private int size;

    int size() {
        return size;
    }

    /** The {@code i}-th entry from the front. */
    Entry get(int i) {
        assert i >= 0 && i < size : i + " of " + size;
        return items[(head + i) & (items.length - 1)];
    }

    void addLast(Entry entry) {
        if (size == items.length) {
            Entry[] grown = new Entry[items.length * 2];
            for (int i = 0; i < size; i++) {
                grown[i] = get(i);
            }
            items = grown;
            head = 0;
        }
        items[(head + size) & (items.length - 1)] = entry;
        size++;
    }

    /** Removes and returns the front entry. */
    Entry removeFirst() {
        Entry first = get(0);
        items[head] = null;
        head = (head + 1) & (items.length - 1);
        size--;
        return first;
    }

    /** Removes and returns the back entry. */
    Entry removeLast() {
        Entry last = get(size - 1);
        items[(head + size - 1) & (items.length - 1)] = null;
        size--;
        return last;
    }

    void clear() {
        Arrays.fill(items, null);
        head = 0;
        size = 0;
    }
}
