"""Conversations and messages for the demo contacts, written through the services like any other.

Idempotent: a contact that already has a conversation is left as it is, and the threads come from a
generator seeded by each contact's email, so every run (and every machine) builds the same demo. The
timestamps are those of the run: the services stamp each write with the time it happens.
"""

import random

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import SubAccount
from contacts.models import Contact
from conversations.models import Conversation, Message
from conversations.services import conversation_create, message_create

DEMO_SLUG = "demo"
DEMO_STAFF_USERNAME = "demo"

IN, OUT = Message.Direction.INBOUND, Message.Direction.OUTBOUND
CONTACT, AGENT, BOT = Message.Sender.CONTACT, Message.Sender.AGENT, Message.Sender.BOT

# (subject, thread): each thread a list of (direction, sender, body); {first} and {order} are filled in per
# contact. The status a conversation ends in follows who spoke last.
THREADS = [
    (
        "Where is my order?",
        [
            (
                IN,
                CONTACT,
                (
                    "Hi, I ordered two bags of the Ethiopia Yirgacheffe last Tuesday and haven't got a "
                    "shipping email yet. Order #{order}."
                ),
            ),
            (OUT, BOT, "Thanks for reaching out! An agent will be with you shortly."),
            (
                OUT,
                AGENT,
                (
                    "Hi {first}, sorry for the wait. Order #{order} left our roastery this morning; "
                    "the tracking link is on its way to your inbox."
                ),
            ),
            (IN, CONTACT, "Got it, thank you!"),
        ],
    ),
    (
        "Change my subscription",
        [
            (IN, CONTACT, "Can I switch my monthly subscription from whole bean to ground for espresso?"),
            (OUT, AGENT, "Of course, {first}. I've changed it to an espresso grind from your next delivery."),
            (IN, CONTACT, "Perfect. Could you also move delivery to the 15th?"),
            (OUT, AGENT, "Done: deliveries now go out on the 15th of each month."),
        ],
    ),
    (
        "Damaged bag",
        [
            (IN, CONTACT, "My last bag arrived torn and half the beans were on the floor of the box."),
            (OUT, AGENT, "I'm so sorry, {first}! Could you send a photo of the bag and the box?"),
            (IN, CONTACT, "Sent it by email just now."),
            (
                OUT,
                AGENT,
                ("Thanks. A replacement ships today at no charge, and I've flagged the packaging with our warehouse."),
            ),
        ],
    ),
    (
        "Wholesale pricing",
        [
            (IN, CONTACT, "We run a small café and are looking for a new house espresso. Do you do wholesale?"),
            (
                OUT,
                AGENT,
                ("We do! Our wholesale list starts at 5 kg a week. Shall I send samples of our two house blends?"),
            ),
            (IN, CONTACT, "Yes please, to the café's address on file."),
        ],
    ),
    (
        "Grinder question",
        [
            (IN, CONTACT, "What grind setting do you recommend for the Colombia Huila on a V60?"),
            (OUT, BOT, "Here's our pour-over guide: medium-fine, about like table salt, 15 g per 250 ml."),
            (IN, CONTACT, "It still tastes a bit sour."),
            (
                OUT,
                AGENT,
                (
                    "Try one step finer and water just off the boil (about 94 °C), {first}. Sourness "
                    "usually means under-extraction."
                ),
            ),
        ],
    ),
    (
        "Refund request",
        [
            (IN, CONTACT, "I was charged twice for order #{order}. Can you refund one of them?"),
            (
                OUT,
                AGENT,
                (
                    "You're right, {first}, the second charge was a payment glitch. The refund is on "
                    "its way and should show in 3–5 business days."
                ),
            ),
        ],
    ),
    (
        "Update delivery address",
        [
            (IN, CONTACT, "I'm moving next week. How do I change my delivery address?"),
            (OUT, BOT, "You can update it under Account → Addresses, or reply here with the new one."),
        ],
    ),
    (
        "",
        [
            (IN, CONTACT, "Do you have any decaf in stock at the moment?"),
        ],
    ),
]
CHANNEL_WEIGHTS = {
    Conversation.Channel.EMAIL: 5,
    Conversation.Channel.WEB_CHAT: 4,
    Conversation.Channel.WHATSAPP: 3,
    Conversation.Channel.SMS: 2,
    Conversation.Channel.VOICE: 1,
    Conversation.Channel.OTHER: 1,
}


class Command(BaseCommand):
    help = "Give the demo sub-account's contacts realistic conversations (idempotent)."

    def handle(self, *args, **options):
        sub_account = SubAccount.objects.filter(slug=DEMO_SLUG).first()
        if sub_account is None:
            raise CommandError(f"No sub-account “{DEMO_SLUG}”: run load_demo_data first.")
        agent = (
            get_user_model().objects.filter(username=DEMO_STAFF_USERNAME, memberships__sub_account=sub_account).first()
        )
        with transaction.atomic():
            conversations, messages = self._ensure_conversations(sub_account, agent)
        self.stdout.write(f"Demo conversations: {conversations} conversations, {messages} messages added.")

    def _ensure_conversations(self, sub_account: SubAccount, agent) -> tuple[int, int]:
        conversations = messages = 0
        contacts = Contact.objects.for_account(sub_account).filter(conversation_count=0).order_by("created_at", "id")
        for contact in contacts:
            rng = random.Random(f"demo-conversations:{contact.email or contact.pk}")
            # Most customers have written once or twice; some never; a few are regulars.
            count = rng.choices([0, 1, 2, 3, 4], weights=[25, 40, 20, 10, 5])[0]
            for subject, thread in rng.sample(THREADS, k=count):
                self._conversation(rng, sub_account, contact, agent, subject, thread)
                conversations += 1
                messages += len(thread)
        return conversations, messages

    def _conversation(self, rng, sub_account, contact, agent, subject, thread) -> None:
        words = {"first": contact.name.split()[0], "order": rng.randint(10_000, 99_999)}
        last_direction = thread[-1][0]
        if last_direction == IN:
            # The customer spoke last: still waiting on us.
            status = rng.choice([Conversation.Status.OPEN, Conversation.Status.OPEN, Conversation.Status.PENDING])
        else:
            status = rng.choice([Conversation.Status.RESOLVED, Conversation.Status.CLOSED, Conversation.Status.PENDING])
        (direction, sender, body), *rest = thread
        conversation = conversation_create(
            sub_account=sub_account,
            contact=contact,
            channel=rng.choices(list(CHANNEL_WEIGHTS), weights=list(CHANNEL_WEIGHTS.values()))[0],
            subject=subject,
            status=status,
            assignee=agent if agent is not None and any(s == AGENT for _, s, _ in thread) else None,
            first_message={"body": body.format(**words), "direction": direction, "sender": sender},
        )
        for direction, sender, body in rest:
            message_create(conversation=conversation, body=body.format(**words), direction=direction, sender=sender)
