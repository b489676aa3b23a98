"""The business rules of the sync: which TikTok orders to take and what the Ecwid order looks like.

`mapping` turns a TikTok order dict into an Ecwid payload and decides whether to take it at all;
`compare` puts both orders side by side for staff. Nothing here speaks HTTP or touches views.
"""
