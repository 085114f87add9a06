// Command ${{ values.name }}: ${{ values.description | replace("\r", " ") | replace("\n", " ") }}
package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	if err := run(logger); err != nil {
		logger.Error("exiting", "error", err)
		os.Exit(1)
	}
}

func run(logger *slog.Logger) error {
	// SIGTERM (Kubernetes) or SIGINT (Ctrl-C) starts a graceful shutdown.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	var ready atomic.Bool
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
	})
	mux.HandleFunc("GET /ready", func(w http.ResponseWriter, _ *http.Request) {
		if !ready.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"message": "hello from ${{ values.name }}"})
	})

	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	server := &http.Server{Addr: ":" + port, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	serverErr := make(chan error, 1)
	go func() {
		logger.Info("listening", "addr", server.Addr)
		if err := server.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			serverErr <- err
		}
		close(serverErr)
	}()
{%- if values.rabbitmq %}

	consumer, err := startConsumer(ctx, logger, os.Getenv("AMQP_URL"))
	if err != nil {
		return err
	}
{%- endif %}

	// runErr is why the service stops on its own (not on a signal); run
	// returns it after shutting down, so the process exits non-zero and
	// Kubernetes restarts it.
	var runErr error
	ready.Store(true)
	select {
	case <-ctx.Done():
		logger.Info("shutting down")
	case err := <-serverErr:
		return err
{%- if values.rabbitmq %}
	case <-consumer.Done():
		// nil when the consumer stopped because of a signal at the same time.
		runErr = consumer.Err()
		if runErr != nil {
			logger.Error("consumer stopped; shutting down", "error", runErr)
		}
{%- endif %}
	}
	// A second SIGTERM or Ctrl-C now ends the process at once.
	stop()

	// Stop taking traffic first: report not ready, keep serving while
	// Kubernetes takes the pod out of the Service's endpoints, then finish
	// what is in flight.
	ready.Store(false)
{%- if values.rabbitmq %}
	consumer.Close()
{%- endif %}
	time.Sleep(drainDelay(logger))
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := server.Shutdown(shutdownCtx); err != nil {
		return err
	}
	return runErr
}

// drainDelay is how long the service keeps serving after it stops reporting
// ready: SHUTDOWN_DRAIN_DELAY, a Go duration ("5s", "0s"); default 5s.
func drainDelay(logger *slog.Logger) time.Duration {
	const fallback = 5 * time.Second
	v := os.Getenv("SHUTDOWN_DRAIN_DELAY")
	if v == "" {
		return fallback
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		logger.Warn("invalid SHUTDOWN_DRAIN_DELAY; using the default", "value", v, "default", fallback.String())
		return fallback
	}
	return d
}
