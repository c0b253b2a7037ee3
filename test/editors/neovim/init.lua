-- Headless Neovim check of the Portcullis language server (run by test/unit/editors/neovim.test.ts).
-- Starts `node dist/server.js --stdio` the way a user's config would, opens a rules file, waits (bounded) for
-- diagnostics, asks for a hover on 3389 and writes what it saw as JSON to $PORTCULLIS_NVIM_OUT, then quits.
-- Works on Neovim 0.7 (Debian 12: vim.lsp.start_client) and 0.8+ (vim.lsp.start).
local out_path = assert(os.getenv('PORTCULLIS_NVIM_OUT'), 'PORTCULLIS_NVIM_OUT not set')
local server = assert(os.getenv('PORTCULLIS_SERVER'), 'PORTCULLIS_SERVER not set')
local file = assert(os.getenv('PORTCULLIS_FILE'), 'PORTCULLIS_FILE not set')
local wait_ms = tonumber(os.getenv('PORTCULLIS_WAIT_MS') or '15000')
local result = { nvim = tostring(vim.version().major) .. '.' .. tostring(vim.version().minor) .. '.' .. tostring(vim.version().patch) }

local function finish()
  local f = io.open(out_path, 'w')
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd('qall!')
end

local ok, err = pcall(function()
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].filetype = 'iptables'
  local config = {
    name = 'portcullis',
    cmd = { 'node', server, '--stdio' },
    root_dir = vim.fn.fnamemodify(file, ':p:h'),
  }
  local client_id
  if vim.lsp.start then
    client_id = vim.lsp.start(config)
  else
    client_id = vim.lsp.start_client(config)
    vim.lsp.buf_attach_client(bufnr, client_id)
  end
  result.client_id = client_id

  result.got_diagnostics = vim.wait(wait_ms, function() return #vim.diagnostic.get(bufnr) > 0 end, 50)
  result.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local code = d.code
    if code == nil and d.user_data and d.user_data.lsp then code = d.user_data.lsp.code end
    local text = vim.api.nvim_buf_get_lines(bufnr, d.lnum, d.lnum + 1, false)[1] or ''
    table.insert(result.diagnostics, {
      code = code, message = d.message, severity = d.severity, source = d.source,
      line = d.lnum, col = d.col, end_col = d.end_col, text = string.sub(text, d.col + 1, d.end_col),
    })
  end

  -- Hover on the first "3389" in the file.
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  for i, l in ipairs(lines) do
    local s = string.find(l, '3389', 1, true)
    if s then
      local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = { line = i - 1, character = s } }
      local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', params, wait_ms)
      for _, r in pairs(responses or {}) do
        if r.result and r.result.contents then
          local c = r.result.contents
          result.hover = type(c) == 'table' and (c.value or vim.fn.json_encode(c)) or tostring(c)
        elseif r.err then
          result.hover_error = vim.fn.json_encode(r.err)
        end
      end
      break
    end
  end
end)
if not ok then result.error = tostring(err) end
finish()
