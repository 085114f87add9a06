{%- if values.rabbitmq -%}
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"

	amqp "github.com/rabbitmq/amqp091-go"
)

const (
	exchange = "${{ values.name }}"
	queue    = "${{ values.name }}"
)

// consumer reads queue ${{ values.name }}; a message that fails is rejected
// without requeue, so RabbitMQ dead-letters it (see the dead-letter service).
//
// When the broker closes the connection or the channel, consuming stops and
// Done is closed with Err saying why; main then reports not ready and exits
// non-zero, so Kubernetes restarts the pod and it connects again.
type consumer struct {
	conn     *amqp.Connection
	stopping atomic.Bool
	done     chan struct{}
	err      error // why consuming stopped; read only after done is closed
}

func startConsumer(ctx context.Context, logger *slog.Logger, url string) (*consumer, error) {
	if url == "" {
		url = "amqp://guest:guest@localhost:5672/"
	}
	conn, err := amqp.Dial(url)
	if err != nil {
		return nil, err
	}
	// Buffered: amqp091 sends the reason of an unexpected close before it
	// closes the deliveries channel, and blocks on a channel nobody reads.
	connClosed := conn.NotifyClose(make(chan *amqp.Error, 1))
	ch, err := conn.Channel()
	if err != nil {
		conn.Close()
		return nil, err
	}
	chClosed := ch.NotifyClose(make(chan *amqp.Error, 1))
	if err := ch.ExchangeDeclare(exchange, "topic", true, false, false, false, nil); err != nil {
		conn.Close()
		return nil, err
	}
	if _, err := ch.QueueDeclare(queue, true, false, false, false, amqp.Table{"x-queue-type": "quorum"}); err != nil {
		conn.Close()
		return nil, err
	}
	if err := ch.QueueBind(queue, "#", exchange, false, nil); err != nil {
		conn.Close()
		return nil, err
	}
	if err := ch.Qos(50, 0, false); err != nil {
		conn.Close()
		return nil, err
	}
	deliveries, err := ch.ConsumeWithContext(ctx, queue, "${{ values.name }}", false, false, false, false, nil)
	if err != nil {
		conn.Close()
		return nil, err
	}
	c := &consumer{conn: conn, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		for d := range deliveries {
			if err := handle(ctx, d); err != nil {
				logger.Error("handling failed; dead-lettering", "routingKey", d.RoutingKey, "messageId", d.MessageId, "error", err)
				_ = d.Reject(false)
				continue
			}
			_ = d.Ack(false)
		}
		// deliveries is closed by Close, by ctx ending (shutdown) or by the
		// broker; only the last is an error.
		if c.stopping.Load() || ctx.Err() != nil {
			return
		}
		c.err = closeReason(connClosed, chClosed)
		logger.Error("lost the RabbitMQ connection; stopping", "error", c.err)
	}()
	return c, nil
}

// closeReason is why the broker closed the connection or the channel.
func closeReason(closed ...<-chan *amqp.Error) error {
	for _, ch := range closed {
		select {
		case amqpErr := <-ch:
			if amqpErr != nil {
				return fmt.Errorf("RabbitMQ closed the consumer: %w", amqpErr)
			}
		default:
		}
	}
	return errors.New("RabbitMQ closed the consumer's deliveries")
}

// handle processes one message; it must tolerate redelivery.
func handle(_ context.Context, _ amqp.Delivery) error {
	return nil
}

// Done is closed when consuming has stopped, for whatever reason.
func (c *consumer) Done() <-chan struct{} {
	return c.done
}

// Err waits for consuming to stop and tells why: nil after Close or
// shutdown, an error when the broker dropped the connection or channel.
func (c *consumer) Err() error {
	<-c.done
	return c.err
}

// Close stops consuming; unacknowledged messages return to the queue.
func (c *consumer) Close() {
	c.stopping.Store(true)
	_ = c.conn.Close()
	<-c.done
}
{%- endif %}
