package peers

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// maxBody bounds an API answer read by this package.
const maxBody = 16 << 20

// getJSON decodes the JSON answer of GET u into v; an answer other than
// 200 is an error quoting its start.
func getJSON(ctx context.Context, c *http.Client, u string, v any) error {
	ctx, cancel := requestContext(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return fmt.Errorf("GET %s: reading the answer: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: HTTP %d: %.300s", u, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: decoding %.300s: %w", u, body, err)
	}
	return nil
}
