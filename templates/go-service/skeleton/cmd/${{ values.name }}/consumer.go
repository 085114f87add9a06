{%- if values.rabbitmq -%}
package main

import (
	"context"
	"log/slog"

	amqp "github.com/rabbitmq/amqp091-go"
)

const (
	exchange = "${{ values.name }}"
	queue    = "${{ values.name }}"
)

// consumer reads queue ${{ values.name }}; a message that fails is rejected
// without requeue, so RabbitMQ dead-letters it (see the dead-letter service).
type consumer struct {
	conn *amqp.Connection
	done chan struct{}
}

func startConsumer(ctx context.Context, logger *slog.Logger, url string) (*consumer, error) {
	if url == "" {
		url = "amqp://guest:guest@localhost:5672/"
	}
	conn, err := amqp.Dial(url)
	if err != nil {
		return nil, err
	}
	ch, err := conn.Channel()
	if err != nil {
		conn.Close()
		return nil, err
	}
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
	}()
	return c, nil
}

// handle processes one message; it must tolerate redelivery.
func handle(_ context.Context, _ amqp.Delivery) error {
	return nil
}

// Close stops consuming; unacknowledged messages return to the queue.
func (c *consumer) Close() {
	_ = c.conn.Close()
	<-c.done
}
{%- endif %}
