// A real OpenID Connect provider for the end-to-end sign-in tests: panva/node-oidc-provider (OpenID Certified),
// pinned in package.json, with the protocol left as the library implements it (authorization code flow, PKCE
// required, client_secret_basic at the token endpoint, RS256 ID tokens checked against the JWKS, RP-initiated
// logout). Only the end-user pages are ours: a sign-in form that checks the password of an account from the
// config file, and a sign-out confirmation. Consent is granted without asking (a first-party client).
//
//   node tests/oidc/provider.mjs CONFIG.json
//
// CONFIG.json: {"client_id": "...", "client_secret": "...", "redirect_uris": ["http://127.0.0.1:8501/oauth2callback"],
//               "accounts": [{"sub": "heping", "password": "...", "name": "...", "email": "...",
//                             "ecmon_role": "...", "ecmon_region": "..."}, ...],
//               "port": 0}
// Every key of an account other than "password" is a claim of its ID token: sub; name and preferred_username
// (scope "profile"); email and email_verified (scope "email"); every other key (scope "ecmon").
// It listens on 127.0.0.1 (port 0 = a free one), the issuer is http://127.0.0.1:<port>, and it prints one line
// of JSON {"issuer": ...} to stdout once it answers. Everything is in memory; it needs no network.
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const PROFILE = ['name', 'preferred_username'];
const EMAIL = ['email', 'email_verified'];
const accounts = new Map(config.accounts.map((a) => [String(a.sub), a]));
const custom = new Set(['ecmon_role', 'ecmon_region']);
for (const a of config.accounts) {
  for (const k of Object.keys(a)) {
    if (!['sub', 'password', ...PROFILE, ...EMAIL].includes(k)) custom.add(k);
  }
}

const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) => `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:"Noto Sans CJK SC",sans-serif;max-width:22rem;margin:3rem auto}label,input,button{display:block;margin:.4rem 0}
.error{color:#b00020}</style></head><body><h1>${esc(title)}</h1>${body}</body></html>`;

function account(sub) {
  const a = accounts.get(String(sub));
  if (!a) return undefined;
  const { password: _password, ...claims } = a;
  return { accountId: String(a.sub), claims: async () => ({ ...claims, sub: String(a.sub) }) };
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };

const configuration = {
  clients: [{
    client_id: config.client_id,
    client_secret: config.client_secret,
    client_name: 'ecmon',
    redirect_uris: config.redirect_uris,
    post_logout_redirect_uris: config.redirect_uris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  findAccount: async (_ctx, sub) => account(sub),
  claims: { openid: ['sub'], profile: PROFILE, email: EMAIL, ecmon: [...custom] },
  // Streamlit reads the claims of the ID token only (not the userinfo endpoint): put the scope's claims there.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  // Lifetimes in seconds (the library's defaults, stated so that it does not print a notice for each).
  // Streamlit keeps its own signed cookie for 30 days and never asks the provider again.
  ttl: { Interaction: 3600, Session: 14 * 86400, Grant: 14 * 86400, AccessToken: 3600, IdToken: 3600 },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: async (ctx, form) => {
        ctx.body = page('退出登录', `<p>是否退出统一身份认证？</p>${form}
<button type="submit" form="op.logoutForm" value="yes" name="logout">确认退出</button>
<button type="submit" form="op.logoutForm">保持登录</button>`);
      },
    },
  },
  // A first-party client: grant every requested OpenID scope without a consent page.
  loadExistingGrant: async (ctx) => {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope([...ctx.oidc.requestParamOIDCScopes].join(' '));
    await grant.save();
    return grant;
  },
  renderError: async (ctx, out) => {
    ctx.type = 'html';
    ctx.body = page('认证出错', `<p class="error">${esc(out.error)}: ${esc(out.error_description)}</p>`);
  },
};

function loginPage(uid, client, login = '', error = '') {
  return page('统一身份认证登录', `<p>应用：${esc(client?.clientName || client?.clientId)}</p>
${error ? `<p class="error" role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}/login" autocomplete="off">
<label>用户名 <input name="login" value="${esc(login)}" required autofocus></label>
<label>密码 <input name="password" type="password" required></label>
<button type="submit">登录</button></form>
<p><a href="/interaction/${esc(uid)}/abort">取消</a></p>`);
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function interactions(provider) {
  return async (ctx, next) => {
    const m = ctx.path.match(/^\/interaction\/([\w-]+)(?:\/(login|abort))?$/);
    if (!m) return next();
    ctx.set('cache-control', 'no-store');
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const client = await provider.Client.find(details.params.client_id);
    const action = m[2];
    if (action === 'abort') {
      return provider.interactionFinished(ctx.req, ctx.res, {
        error: 'access_denied', error_description: 'End-User aborted interaction',
      }, { mergeWithLastSubmission: false });
    }
    if (details.prompt.name !== 'login') {
      ctx.status = 501;
      ctx.body = page('认证出错', `<p class="error">未实现的交互：${esc(details.prompt.name)}</p>`);
      return undefined;
    }
    if (action === 'login' && ctx.method === 'POST') {
      const form = await readForm(ctx.req);
      const login = form.get('login') ?? '';
      const known = accounts.get(login);
      if (!known || known.password !== form.get('password')) {
        ctx.status = 401;
        ctx.type = 'html';
        ctx.body = loginPage(details.uid, client, login, '用户名或密码不正确');
        return undefined;
      }
      return provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: login } },
        { mergeWithLastSubmission: false });
    }
    ctx.type = 'html';
    ctx.body = loginPage(details.uid, client);
    return undefined;
  };
}

const server = createServer();
server.listen(config.port ?? 0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, configuration);
  provider.use(interactions(provider));
  server.on('request', provider.callback());
  console.log(JSON.stringify({ issuer }));
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => { server.close(() => process.exit(0)); server.closeAllConnections(); });
}
