package service

import (
	"context"
	"slices"
	"strings"

	"github.com/airlock-iot/airlock/internal/airlock"
	"github.com/airlock-iot/airlock/internal/store"
	"github.com/airlock-iot/airlock/internal/store/tokens"
)

// TokenInput creates an API token.
type TokenInput struct {
	Name string `json:"name"`
	Role string `json:"role"`
}

// CreateToken makes a token; its secret is in the answer and nowhere else.
func (s *Service) CreateToken(ctx context.Context, actor string, in TokenInput) (airlock.Token, error) {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len(in.Name) > 100 {
		return airlock.Token{}, airlock.FieldErrorf("name", "is required (at most 100 characters)")
	}
	if !slices.Contains(airlock.Roles, in.Role) {
		return airlock.Token{}, airlock.FieldErrorf("role", "must be admin, approver, viewer, scanner or ci, got %q", in.Role)
	}
	return s.createToken(ctx, actor, in.Name, in.Role, NewSecret("alk_", 32))
}

func (s *Service) createToken(ctx context.Context, actor, name, role, secret string) (airlock.Token, error) {
	var tok airlock.Token
	err := s.DB.InTx(ctx, actor, func(tx *store.Tx) error {
		var err error
		tok, err = tokens.CreateToken(ctx, tx, name, role, secret)
		return err
	})
	tok.Secret = secret
	return tok, err
}

// RevokeToken revokes a token.
func (s *Service) RevokeToken(ctx context.Context, actor string, id int64) error {
	return s.DB.InTx(ctx, actor, func(tx *store.Tx) error { return tokens.RevokeToken(ctx, tx, id) })
}

// Bootstrap makes sure an admin can get in: a given admin token is stored
// (once), and with none given and none stored a new one is made and returned
// so that serve can print it once. It returns "" when nothing was made.
func (s *Service) Bootstrap(ctx context.Context, adminToken string) (string, error) {
	if adminToken != "" {
		if _, err := tokens.TokenBySecret(ctx, s.DB, adminToken); err == nil {
			return "", nil
		}
		_, err := s.createToken(ctx, "bootstrap", "bootstrap-admin", airlock.RoleAdmin, adminToken)
		if airlock.ErrorCode(err) != airlock.ECONFLICT {
			return "", err
		}
		if _, err := tokens.TokenBySecret(ctx, s.DB, adminToken); airlock.ErrorCode(err) == airlock.ENOTFOUND {
			return "", airlock.Errorf(airlock.ECONFLICT, "AIRLOCK_ADMIN_TOKEN was revoked: set a new one, or unset it and create one with `airlock token create --role admin`")
		} else if err != nil {
			return "", err
		}
		return "", nil // another replica stored it first
	}
	n, err := tokens.CountTokens(ctx, s.DB)
	if err != nil || n > 0 {
		return "", err
	}
	tok, err := s.createToken(ctx, "bootstrap", "admin", airlock.RoleAdmin, NewSecret("alk_", 32))
	return tok.Secret, err
}
