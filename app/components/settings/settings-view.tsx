'use client';
import { useState } from 'react';
/**
 * The settings page: alert rules, webhooks, the estimator and where devices connect (read-only for
 * viewers), and for operators device accounts, API tokens and accounts; one's own password. With AUTH=off there are no accounts.
 */
import { useSession } from '../../lib/session';
import { ChangePasswordForm } from '../change-password-form';
import { AlertRulesSection } from './alert-rules-section';
import { DevicesSection } from './devices-section';
import { EstimatorSection } from './estimator-section';
import { TokensSection } from './tokens-section';
import { UsersSection } from './users-section';
import { WebhooksSection } from './webhooks-section';

function OwnPassword() {
  const [done, setDone] = useState(false);
  return (
    <section
      className="panel settings-section"
      aria-labelledby="password-title"
      data-testid="password-section"
    >
      <h2 id="password-title">Your password</h2>
      <p className="muted">Changing it logs you out everywhere else.</p>
      <ChangePasswordForm onChanged={() => setDone(true)} />
      {done ? (
        <p className="form-ok" role="status">
          Password changed.
        </p>
      ) : null}
    </section>
  );
}

export function SettingsView() {
  const session = useSession();
  if (session.kind === 'error')
    return (
      <div className="banner banner-warning panel" role="alert">
        <strong>The plant service did not answer</strong> ({session.message}). Trying again…
      </div>
    );
  if (session.kind !== 'signed-in') return <p className="muted">Loading…</p>;
  const { view } = session;
  const canOperate = view.role === 'operator';
  return (
    <>
      <div className="page-head">
        <h1>Settings</h1>
        <span className="muted" data-testid="settings-role" data-role={view.role}>
          {view.authDisabled
            ? 'AUTH=off: every request acts as an operator'
            : canOperate
              ? `you may change these (${view.role})`
              : 'read only: you are logged in as a viewer'}
        </span>
      </div>
      <ul className="section-nav">
        <li>
          <a href="#rules-title">Alert rules</a>
        </li>
        <li>
          <a href="#webhooks-title">Webhooks</a>
        </li>
        <li>
          <a href="#estimator-title">Estimator</a>
        </li>
        <li>
          <a href="#devices-title">Devices</a>
        </li>
        {canOperate && !view.authDisabled ? (
          <>
            <li>
              <a href="#tokens-title">API tokens</a>
            </li>
            <li>
              <a href="#users-title">Accounts</a>
            </li>
          </>
        ) : null}
      </ul>
      <AlertRulesSection canOperate={canOperate} />
      <WebhooksSection canOperate={canOperate} />
      <EstimatorSection canOperate={canOperate} />
      <DevicesSection canOperate={canOperate} />
      {view.authDisabled ? (
        <section className="panel settings-section" data-testid="auth-off-notice">
          <h2>API tokens and accounts</h2>
          <p>
            This service runs with <code>AUTH=off</code> (loopback only): there are no accounts or tokens, and
            every request acts as an operator.
          </p>
        </section>
      ) : canOperate ? (
        <>
          <TokensSection />
          <UsersSection me={view.username} />
        </>
      ) : (
        <section className="panel settings-section" data-testid="operator-only-notice">
          <h2>API tokens and accounts</h2>
          <p>Only operators make and revoke API tokens and accounts.</p>
        </section>
      )}
      {view.via === 'session' ? <OwnPassword /> : null}
    </>
  );
}
