"""Top-level domains worth recognising, and the hosts that are messengers rather than web sites.

Only endings people actually type into a chat are listed: a bare "word.tld" is taken for a
domain only when the ending is here, so "22.11.2026", "снимка.jpg" and "т.е." stay text.
"""

from __future__ import annotations


def _words(spelled: str) -> frozenset[str]:
    return frozenset(spelled.split())


#: Endings that are rarely anything but a domain after a dot.
STRONG = _words(
    """
    com net org bg eu info biz io ru de uk fr gr ro rs mk tr es pl cz sk hu nl ua kz ch
    dk fi pt ie ca au nz jp cn kr br ar mx hr lt lv cy
    shop store online site xyz website tech dev
    бг ком рф срб
    """
)

#: Endings that are also ordinary words ("is", "me", "it", or "se", "si", "li" in Bulgarian
#: typed in Latin letters): a domain only with more evidence.
WEAK = _words(
    """
    me co to in it is be at so no tv cc ws gl ly am fm gg ai do la id sh im vc us by se si li
    ba al md mt lu ee su
    app top club pro blog space page email link click live life world today best sale news
    """
)

#: Endings believed after a spelled-out or spaced dot ("shop точка bg", "shop . com").
SPELLABLE = _words("com net org bg eu info biz io shop store online site бг ком")

ALL = STRONG | WEAK

#: Hosts that lead to a person on a messenger or social network.
MESSENGER_HOSTS = _words(
    """
    t.me telegram.me telegram.dog wa.me m.me fb.me fb.com facebook.com instagram.com instagr.am
    vk.com vk.me ok.ru tiktok.com snapchat.com viber.com invite.viber.com chat.whatsapp.com
    api.whatsapp.com whatsapp.com signal.me discord.gg discord.com linkedin.com twitter.com x.com
    threads.net messenger.com skype.com join.skype.com youtube.com youtu.be
    """
)

#: Hosts that take a payment for a person: a sale settled there leaves the marketplace.
PAYMENT_HOSTS = _words(
    """
    revolut.me revolut.com pay.revolut.com paypal.me paypal.com wise.com transferwise.com
    monzo.me monzo.com skrill.com payoneer.com venmo.com cash.app
    """
)

#: Short-link services: a weak ending is enough for these.
SHORTENERS = _words("bit.ly goo.gl t.co is.gd ow.ly cutt.ly tinyurl.com rb.gy s.id")

#: Mail providers people name without an ending: "ivan at gmail".
MAIL_PROVIDERS = _words(
    """
    gmail abv yahoo outlook hotmail icloud gmx protonmail proton yandex mail.bg dir.bg
    гмейл гмейла гмаил джимейл джимейла абв абв.бг яху аутлук хотмейл
    """
)
