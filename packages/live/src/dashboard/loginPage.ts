const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Sent with 401 to a browser without a session: the only page served without a token. */
export const loginPage = (error?: string): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Thetaflow — sign in</title><link rel="stylesheet" href="/app.css"></head>
<body class="login"><form method="post" action="/login" class="login-form">
<h1>Thetaflow</h1>
<p>Paste the access token (from <code>$THETAFLOW_TOKEN</code> or the token file the run named).</p>
${error === undefined ? "" : `<p class="error" role="alert">${escapeHtml(error)}</p>`}
<label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Open dashboard</button>
</form></body></html>
`;
