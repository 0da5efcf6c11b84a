package queue

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/labelbridge/labelbridge"
)

// Subscription reads events in seq order, first those already stored after
// a given seq, then live ones as they are published. It reads them back from
// the store, so however far a reader falls behind, it holds up no one and
// costs no memory. Next is called by one goroutine; Seek and Generation may
// be called from any.
type Subscription struct {
	q *Queue

	mu   sync.Mutex
	seek *uint64 // requested by Seek, applied by Next
	gen  uint64  // counts Seeks
	kick chan struct{}

	cursor uint64 // last seq returned
	buf    []labelbridge.Event
}

// Subscribe returns a subscription that yields every retained event with a
// seq greater than since.
func (q *Queue) Subscribe(since uint64) *Subscription {
	return &Subscription{q: q, cursor: since, kick: make(chan struct{}, 1)}
}

// Seek makes the next event Next returns the first retained one after
// since. An event Next returned before the Seek took effect carries an older
// generation (see Next), so a caller can tell it apart.
func (s *Subscription) Seek(since uint64) {
	s.mu.Lock()
	s.seek = &since
	s.gen++
	s.mu.Unlock()
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Generation counts the Seeks so far.
func (s *Subscription) Generation() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gen
}

// Lag is how many published events the subscriber has not yet taken.
func (s *Subscription) Lag() uint64 {
	s.q.mu.Lock()
	latest := s.q.published
	s.q.mu.Unlock()
	if latest < s.cursor {
		return 0
	}
	return latest - s.cursor
}

func (s *Subscription) applySeek() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seek != nil {
		s.cursor = *s.seek
		s.seek = nil
		s.buf = s.buf[:0]
	}
	return s.gen
}

// Next returns the next event and the generation it belongs to, waiting for
// one to be published. It returns ctx.Err() when ctx ends first.
func (s *Subscription) Next(ctx context.Context) (labelbridge.Event, uint64, error) {
	gen := s.applySeek()
	for len(s.buf) == 0 {
		s.q.mu.Lock()
		published, notify := s.q.published, s.q.notify
		s.q.mu.Unlock()
		if s.cursor < published {
			if err := s.fill(published); err != nil {
				return labelbridge.Event{}, gen, err
			}
			if len(s.buf) > 0 {
				break
			}
			// Everything up to published was pruned by retention.
			s.cursor = published
		}
		select {
		case <-ctx.Done():
			return labelbridge.Event{}, gen, ctx.Err()
		case <-notify:
		case <-s.kick:
		}
		gen = s.applySeek()
	}
	ev := s.buf[0]
	s.buf = s.buf[1:]
	s.cursor = ev.Seq
	return ev, gen, nil
}

func (s *Subscription) fill(published uint64) error {
	const batch = 256
	return s.q.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketEvents).Cursor()
		for k, v := c.Seek(u64(s.cursor + 1)); k != nil && len(s.buf) < batch; k, v = c.Next() {
			if binary.BigEndian.Uint64(k) > published {
				break
			}
			var ev labelbridge.Event
			if err := json.Unmarshal(v, &ev); err != nil {
				return fmt.Errorf("decode event %d: %w", binary.BigEndian.Uint64(k), err)
			}
			s.buf = append(s.buf, ev)
		}
		return nil
	})
}

// Latest returns the seq of the newest published event and of the oldest
// one still retained (latest+1 when none is).
func (q *Queue) Latest() (latest, oldest uint64) {
	q.mu.Lock()
	latest = q.published
	q.mu.Unlock()
	oldest = latest + 1
	_ = q.db.View(func(tx *bolt.Tx) error {
		if k, _ := tx.Bucket(bucketEvents).Cursor().First(); k != nil {
			oldest = binary.BigEndian.Uint64(k)
		}
		return nil
	})
	return latest, oldest
}

// retain prunes, now and then hourly, events and finished jobs older than
// the retention period.
func (q *Queue) retain(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if err := q.Prune(); err != nil && !errors.Is(err, bolt.ErrDatabaseNotOpen) {
			q.log.Error().Err(err).Msg("prune store")
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Prune deletes events and finished jobs older than the retention period.
// Idempotency keys go with their jobs.
func (q *Queue) Prune() error {
	cutoff := q.cfg.Now().Add(-q.cfg.Retention)
	var events, jobs int
	err := q.commit(func(tx *bolt.Tx, emit emitFunc) error {
		c := tx.Bucket(bucketEvents).Cursor()
		for k, v := c.First(); k != nil; k, v = c.First() {
			var ev struct {
				At time.Time `json:"at"`
			}
			if err := json.Unmarshal(v, &ev); err != nil {
				return fmt.Errorf("decode event %d: %w", binary.BigEndian.Uint64(k), err)
			}
			if !ev.At.Before(cutoff) {
				break
			}
			if err := c.Delete(); err != nil {
				return err
			}
			events++
		}
		var old []*jobRecord
		err := tx.Bucket(bucketJobs).ForEach(func(k, v []byte) error {
			var j jobRecord
			if err := json.Unmarshal(v, &j); err != nil {
				return fmt.Errorf("decode job %q: %w", k, err)
			}
			if j.State.Final() && j.FinishedAt.Before(cutoff) {
				old = append(old, &j)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, j := range old {
			if err := deleteJob(tx, j); err != nil {
				return err
			}
		}
		jobs = len(old)
		return nil
	}, nil)
	if err == nil && events+jobs > 0 {
		q.log.Info().Int("events", events).Int("jobs", jobs).Msg("pruned expired history")
	}
	return err
}
