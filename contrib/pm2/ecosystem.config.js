// PM2 process file: the app, plus the daily cr backup as a cron-started
// one-shot process (autorestart off, so PM2 runs it only on its schedule).
// Start with: pm2 start ecosystem.config.js && pm2 save
module.exports = {
  apps: [
    {
      name: 'app',
      script: '.output/server/index.mjs',
      cwd: '/opt/app/live',
      env: { NODE_ENV: 'production' },
    },
    {
      name: 'db-backup',
      script: 'cr-backup',
      args: ['-q', '--env-file', '/opt/app/.env', '--dir', '/opt/app/backups'],
      interpreter: 'none',
      cron_restart: '0 2 * * *',
      autorestart: false,
    },
  ],
};
